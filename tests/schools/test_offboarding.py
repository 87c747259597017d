"""A school leaves the portal: platform staff offboard it after offering its export.

Its staff accounts close (a teacher of another school keeps theirs), every pupil
is removed by the school as a leaver is (parents keep access and are told once),
its invitations stop working, and from then on it takes no new data."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from accounts.services import StaffError, staff_add
from audit.models import AuditEntry
from audit.services import audit_record
from engagement.models import Event
from engagement.services import NudgeError, event_record, nudges_send
from invitations.errors import InvitationNotUsableError
from invitations.models import Invitation
from invitations.services import invitation_resend, invitations_create, invitations_remind_due
from learning.services import assignments_create, completion_record, school_today
from notifications.models import Message
from schools.models import Pupil, School
from schools.offboarded import SchoolOffboardedError
from schools.services import RosterImportError, roster_apply, roster_import_start, school_offboard
from tests.admin.platform_staff import platform_staff_member
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    sign_in_verified,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed
from tests.schools.roster_files import roster, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A school with its admin, a teacher of one class, a teacher who also teaches at
    another school, and two families (one with two children there)."""
    school = SchoolFactory(name="Oakfield Primary")
    school_class = SchoolClassFactory(school=school, name="3S")
    other_school = SchoolFactory(name="Elm Academy")
    admin = admin_of(school, first_name="Ada")
    teacher = teacher_of(school_class, first_name="Tom")
    both = teacher_of(school_class, first_name="Bea")
    Membership.objects.create(user=both, school=other_school, role=Membership.Role.TEACHER)
    amy = PupilFactory(school=school, school_class=school_class, first_name="Amy")
    ben = PupilFactory(school=school, school_class=school_class, first_name="Ben")
    cat = PupilFactory(school=school, school_class=school_class, first_name="Cat")
    mum = GuardianshipFactory(pupil=amy, parent__first_name="Mia").parent
    GuardianshipFactory(pupil=ben, parent=mum)
    dad = GuardianshipFactory(pupil=cat, parent__first_name="Dev").parent
    return {
        "school": school,
        "school_class": school_class,
        "other_school": other_school,
        "admin": admin,
        "teacher": teacher,
        "both": both,
        "pupils": [amy, ben, cat],
        "mum": mum,
        "dad": dad,
        "staff": UserFactory(is_staff=True),
    }


def left_messages():
    return Message.objects.filter(template="pupil_left")


def offboard(world):
    return school_offboard(school=world["school"], actor=world["staff"])


# --- What offboarding does ------------------------------------------------------------


def test_staff_accounts_close_and_a_teacher_of_another_school_keeps_theirs(world):
    teacher_client = Client()
    sign_in_verified(teacher_client, world["teacher"])

    result = offboard(world)

    for closed in (world["admin"], world["teacher"]):
        closed.refresh_from_db()
        assert closed.closed_at is not None and not closed.is_active
    both = User.objects.get(pk=world["both"].pk)
    assert both.is_active and both.closed_at is None
    assert list(both.memberships.values_list("school", flat=True)) == [world["other_school"].pk]
    assert not Membership.objects.filter(school=world["school"]).exists()
    assert not world["school_class"].teachers.exists()
    assert (result.staff_closed, result.staff_kept) == (2, 1)
    reasons = AuditEntry.objects.filter(action="user.close").values_list(
        "changes__reason", flat=True
    )
    assert list(reasons) == ["school_offboarded", "school_offboarded"]
    # A closed teacher's session ends at once.
    assert teacher_client.get(reverse("accounts:settings")).status_code == 302


def test_a_member_of_staff_who_is_also_a_parent_keeps_their_account(world):
    parent_too = world["mum"]
    Membership.objects.create(user=parent_too, school=world["school"], role=Membership.Role.TEACHER)

    offboard(world)

    parent_too.refresh_from_db()
    assert parent_too.is_active and parent_too.closed_at is None
    assert not parent_too.memberships.exists()


def test_every_pupil_is_removed_and_each_joined_parent_is_told_once(world):
    result = offboard(world)

    assert not Pupil.objects.filter(
        school=world["school"], removed_by_school_at__isnull=True
    ).exists()
    assert (result.pupils_removed, result.parents_told) == (3, 2)
    messages = left_messages()
    assert sorted(message.recipient.first_name for message in messages) == ["Dev", "Mia"]
    to_mum = messages.get(recipient=world["mum"])
    assert "Oakfield Primary has stopped using the Home Learning Portal" in to_mum.body_text
    assert "Amy and Ben" in to_mum.body_text


def test_offboarding_again_tells_nobody_twice_and_records_nothing_new(world):
    offboard(world)
    sent = left_messages().count()

    again = offboard(world)

    assert left_messages().count() == sent
    assert (again.pupils_removed, again.parents_told, again.staff_closed) == (0, 0, 0)
    assert AuditEntry.objects.filter(action="school.offboard").count() == 1
    assert AuditEntry.objects.filter(action="pupils.remove").count() == 1


def test_parents_keep_their_childs_space_but_record_nothing_new(world):
    amy = world["pupils"][0]
    activity = ActivityFactory()
    AssignmentFactory(topic=activity.topic, school_class=world["school_class"])

    offboard(world)

    client = Client()
    client.force_login(world["mum"])
    space = client.get(reverse("learning:child_space", args=[amy.pk]))
    assert space.status_code == 200
    assert "Amy" in space.content.decode()
    with pytest.raises(PermissionDenied):
        completion_record(pupil=amy, activity=activity, actor=world["mum"])
    kind = Event.Kind.ASSIGNMENT_OPENED
    assert event_record(actor=world["mum"], kind=kind, school=world["school"], pupil=amy) is None
    assert not Event.objects.exists()


def test_no_event_is_recorded_for_a_school_that_has_left_even_for_a_pupil_on_roll(world):
    School.objects.filter(pk=world["school"].pk).update(status=School.Status.OFFBOARDED)
    amy = world["pupils"][0]

    recorded = event_record(
        actor=world["mum"], kind=Event.Kind.ASSIGNMENT_OPENED, school=world["school"], pupil=amy
    )

    assert recorded is None


def test_live_invitations_are_revoked_and_their_links_stop_working(
    world, client, django_capture_on_commit_callbacks
):
    school = world["school"]
    parent = imported_parent(first_name="Ian")
    pupil = PupilFactory(school=school)
    link_unconfirmed(parent, pupil)
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = invitations_create(
            school=school, pupils=[pupil], channels="email", actor=world["admin"]
        )
    body = Message.objects.get(template="invitation").body_text
    path = re.search(r"/invitations/[^/\s]+/", body).group(0)

    result = offboard(world)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert result.invitations_revoked == 1
    assert client.get(path).status_code == 410


def test_offboarding_is_audited_with_counts_and_no_names(world):
    offboard(world)

    entry = AuditEntry.objects.get(action="school.offboard")
    assert entry.actor == world["staff"]
    assert entry.school == world["school"]
    assert entry.changes == {
        "first_time": True,
        "staff_closed": 2,
        "staff_kept": 1,
        "pupils_removed": 3,
        "parents_told": 2,
        "invitations_revoked": 0,
    }
    text = json.dumps(entry.changes)
    for name in ("Oakfield", "Mia", "Amy", "Ada"):
        assert name not in text


# --- No new data afterwards ----------------------------------------------------------


def test_a_roster_is_refused_by_the_import_the_upload_and_the_command(world, tmp_path):
    offboard(world)
    school = world["school"]
    content = roster(row(1, contact_first="Pat", email="pat@example.org"))
    file = tmp_path / "roster.csv"
    file.write_bytes(content)

    with pytest.raises(SchoolOffboardedError, match="Oakfield Primary has left the portal"):
        roster_apply(school=school, content=content, remove_missing=False, actor=None)
    with pytest.raises(RosterImportError, match="has left the portal"):
        roster_import_start(
            school=school,
            file_name="roster.csv",
            content=content,
            remove_missing=False,
            actor=world["staff"],
        )
    with pytest.raises(CommandError, match="has left the portal"):
        call_command("import_roster", "--school", school.urn, str(file), stdout=StringIO())
    assert Pupil.objects.filter(school=school).count() == 3
    assert not User.objects.filter(email="pat@example.org").exists()


def test_an_import_checked_before_the_school_left_is_not_applied(world):
    school = world["school"]
    content = roster(row(1, contact_first="Pat", email="pat@example.org"))
    roster_import = roster_import_start(
        school=school,
        file_name="roster.csv",
        content=content,
        remove_missing=False,
        actor=world["admin"],
    )
    offboard(world)

    from schools.services import roster_import_apply

    roster_import = roster_import_apply(roster_import=roster_import, actor=world["admin"])

    assert roster_import.status == "failed"
    assert "has left the portal" in roster_import.file_error
    assert not User.objects.filter(email="pat@example.org").exists()


def test_invitations_resends_and_reminders_are_refused(world):
    school = world["school"]
    expired = Invitation.objects.create(
        school=school,
        parent=world["dad"],
        contact_name="Dev",
        email=world["dad"].email,
        channels="email",
        token_hash="x" * 64,
        status=Invitation.Status.EXPIRED,
        expires_at=timezone.now(),
        created_by=world["admin"],
    )
    offboard(world)
    # A live invitation left behind somehow (a restore from backup, say).
    Invitation.objects.filter(pk=expired.pk).update(
        status=Invitation.Status.SENT,
        sent_at=timezone.now() - timezone.timedelta(days=8),
        expires_at=timezone.now() + timezone.timedelta(days=6),
    )
    parent = imported_parent()
    link_unconfirmed(parent, PupilFactory(school=school))

    with pytest.raises(SchoolOffboardedError):
        invitations_create(
            school=school,
            pupils=Pupil.objects.filter(school=school),
            channels="email",
            actor=world["staff"],
        )
    reminded = invitations_remind_due()
    Invitation.objects.filter(pk=expired.pk).update(status=Invitation.Status.EXPIRED)
    with pytest.raises(InvitationNotUsableError, match="has left the portal"):
        invitation_resend(invitation=expired, actor=world["staff"])

    assert reminded == 0
    assert not Message.objects.filter(template__startswith="invitation").exists()
    assert Invitation.objects.filter(school=school).count() == 1


def test_no_work_nudges_or_staff_are_taken(world):
    school, school_class = world["school"], world["school_class"]
    assignment = AssignmentFactory(school_class=school_class)
    both = world["both"]
    offboard(world)

    with pytest.raises(ValidationError) as refused:
        assignments_create(
            topic=assignment.topic,
            school_classes=[school_class],
            starts_on=school_today(),
            due_on=school_today(),
            actor=both,
        )
    assert "Oakfield Primary has left the portal" in str(refused.value)
    with pytest.raises(NudgeError, match="has left the portal"):
        nudges_send(assignment=assignment, pupil_ids=[world["pupils"][0].pk], actor=both)
    with pytest.raises(StaffError, match="has left the portal"):
        staff_add(
            school=school,
            email="new@example.org",
            first_name="New",
            last_name="Teacher",
            role=Membership.Role.TEACHER,
            actor=world["staff"],
        )
    assert not Membership.objects.filter(school=school).exists()


def test_pages_of_a_school_that_has_left_say_so_rather_than_fail(world, staff_client):
    # A school marked as left while an admin still holds a role there.
    school = world["school"]
    School.objects.filter(pk=school.pk).update(status=School.Status.OFFBOARDED)
    client = staff_client(world["admin"])
    content = roster(row(1, contact_first="Pat", email="pat@example.org"))

    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = client.post(
        reverse("schools:roster_upload", args=[school.pk]),
        {"file": SimpleUploadedFile("roster.csv", content, content_type="text/csv")},
    )
    invite = client.post(
        reverse("invitations:create", args=[school.pk]),
        {"scope": "school", "channels": "email"},
        follow=True,
    )

    assert upload.status_code == 200
    assert "Oakfield Primary has left the portal" in upload.content.decode()
    assert invite.status_code == 200
    assert "Oakfield Primary has left the portal" in invite.content.decode()


# --- Its cost -------------------------------------------------------------------------


def test_offboarding_costs_the_same_queries_for_one_family_or_thirty():
    def queries_for(families: int) -> int:
        school = SchoolFactory()
        admin_of(school)
        staff = UserFactory(is_staff=True)
        for _ in range(families):
            GuardianshipFactory(pupil=PupilFactory(school=school))
        with CaptureQueriesContext(connection) as queries:
            result = school_offboard(school=school, actor=staff)
        assert result.parents_told == families
        return len(queries)

    assert queries_for(1) == queries_for(30)


# --- The admin page -------------------------------------------------------------------


def offboard_url(school) -> str:
    return reverse("admin:schools_school_offboard", args=[school.pk])


def test_the_school_page_links_to_offboarding_for_platform_staff(world, staff_client):
    client = staff_client(platform_staff_member())

    page = client.get(reverse("admin:schools_school_change", args=[world["school"].pk]))

    assert offboard_url(world["school"]) in page.content.decode()


def test_the_confirmation_page_offers_the_export_first_and_counts_without_names(
    world, staff_client
):
    school = world["school"]
    audit_record(actor=world["admin"], action="school.export", subject=school)
    client = staff_client(platform_staff_member())

    page = client.get(offboard_url(school)).content.decode()

    assert "offer the school its data" in page
    assert "A school admin last exported the school's data on" in page
    assert "Staff accounts closed (the school is their only one): 2" in page
    assert "Pupils on roll, each removed by the school as a leaver is: 3" in page
    assert "Parents who joined, each told once by email or text that the school has left: 2" in (
        page
    )
    assert 'name="export_offered"' in page
    assert "button-danger" in page
    for name in ("Amy", "Mia", "Tom"):
        assert name not in page
    assert School.objects.get(pk=school.pk).status == School.Status.ACTIVE


def test_the_page_says_when_no_admin_has_exported_yet(world, staff_client):
    client = staff_client(platform_staff_member())

    page = client.get(offboard_url(world["school"])).content.decode()

    assert "No school admin has exported the school's data yet." in page


def test_offboarding_needs_the_box_ticked(world, staff_client):
    client = staff_client(platform_staff_member())

    response = client.post(offboard_url(world["school"]), {})

    assert response.status_code == 400
    assert "Tick this once the school has been offered its export" in response.content.decode()
    assert School.objects.get(pk=world["school"].pk).status == School.Status.ACTIVE
    assert not AuditEntry.objects.filter(action="school.offboard").exists()


def test_platform_staff_offboard_the_school_from_its_page(world, staff_client):
    member = platform_staff_member()
    client = staff_client(member)

    response = client.post(offboard_url(world["school"]), {"export_offered": "on"})

    assert response.status_code == 302
    assert School.objects.get(pk=world["school"].pk).status == School.Status.OFFBOARDED
    assert AuditEntry.objects.get(action="school.offboard").actor == member
    page = client.get(offboard_url(world["school"])).content.decode()
    assert "has already left the portal" in page
    assert 'name="export_offered"' not in page


def test_changing_a_schools_details_is_not_enough_to_offboard_it(world, staff_client):
    member = platform_staff_member()
    member.groups.first().permissions.remove(Permission.objects.get(codename="offboard_school"))
    client = staff_client(User.objects.get(pk=member.pk))

    assert (
        client.get(reverse("admin:schools_school_change", args=[world["school"].pk])).status_code
        == 200
    )
    assert client.get(offboard_url(world["school"])).status_code == 403
    assert client.post(offboard_url(world["school"]), {"export_offered": "on"}).status_code == 403
    assert School.objects.get(pk=world["school"].pk).status == School.Status.ACTIVE


def test_school_staff_and_parents_never_reach_offboarding(world, staff_client):
    parent_client = Client()
    parent_client.force_login(world["mum"])

    assert parent_client.get(offboard_url(world["school"])).status_code == 302
    assert staff_client(world["admin"]).get(offboard_url(world["school"])).status_code == 302
