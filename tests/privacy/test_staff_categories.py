"""The categories staff data and third-party tables fall in: roster files, classes
taught, sessions, email addresses and the admin's change log."""

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from privacy.registry import category
from schools.models import Pupil, RosterImport
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory, teacher_of

pytestmark = pytest.mark.django_db


def test_roster_files_naming_a_pupil_are_cleared_for_that_pupils_school_only():
    pupil = PupilFactory()
    elsewhere = PupilFactory()
    for school in (pupil.school, elsewhere.school):
        RosterImport.objects.create(
            school=school, file_name="roster.csv", content=b"Forename,Surname\nJo,Bloggs\n"
        )
    assert [row["file_name"] for row in category("roster_imports").export(pupil=pupil)] == [
        "roster.csv"
    ]
    assert category("roster_imports").erase(pupil=pupil) == 1
    assert bytes(RosterImport.objects.get(school=pupil.school).content) == b""
    assert category("roster_imports").export(pupil=pupil) == []
    assert bytes(RosterImport.objects.get(school=elsewhere.school).content).startswith(b"Fore")


def test_roster_uploader_link_goes():
    school_class = SchoolClassFactory()
    uploader = teacher_of(school_class)
    RosterImport.objects.create(school=school_class.school, file_name="r.csv", uploaded_by=uploader)
    assert len(category("roster_imports").export(user=uploader)) == 1
    assert category("roster_imports").erase(user=uploader) == 1
    assert RosterImport.objects.get().uploaded_by is None


def test_classes_taught_link_goes_and_the_class_stays():
    school_class = SchoolClassFactory()
    teacher, colleague = teacher_of(school_class), teacher_of(school_class)
    assert category("classes_taught").export(user=teacher)[0]["class"] == school_class.name
    assert category("classes_taught").erase(user=teacher) == 1
    assert list(school_class.teachers.all()) == [colleague]


def test_sessions_end_and_email_addresses_go():
    parent = GuardianshipFactory().parent
    UserSession.objects.create(user=parent, ip="192.0.2.1", session_key="k1", user_agent="Phone")
    EmailAddress.objects.create(user=parent, email=parent.email, primary=True, verified=True)
    assert category("sessions").export(user=parent)[0]["ip"] == "192.0.2.1"
    assert category("email_addresses").export(user=parent)[0]["email"] == parent.email
    assert category("sessions").erase(user=parent) == 1
    assert category("email_addresses").erase(user=parent) == 1
    assert not UserSession.objects.exists() and not EmailAddress.objects.exists()


def test_admin_log_entries_about_a_pupil_are_redacted():
    pupil, other = PupilFactory(), PupilFactory()
    staff = teacher_of(SchoolClassFactory())
    for child in (pupil, other):
        LogEntry.objects.create(
            user=staff,
            content_type=ContentType.objects.get_for_model(Pupil),
            object_id=str(child.pk),
            object_repr=child.full_name,
            action_flag=CHANGE,
            change_message="[]",
        )
    assert pupil.full_name in str(category("admin_log").export(pupil=pupil))
    assert category("admin_log").erase(pupil=pupil) == 1
    assert sorted(LogEntry.objects.values_list("object_repr", flat=True)) == sorted(
        ["[redacted]", other.full_name]
    )
