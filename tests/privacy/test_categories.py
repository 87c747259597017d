"""Each category exports the person's data and not another's; erasing it removes
(or anonymises, or redacts) that person's data and leaves everyone else's."""

import json

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import MobileChange, User
from audit.models import AuditEntry, SecurityEvent
from audit.services import audit_record
from consent.models import ConsentRecord, Method, Purpose
from consent.services import consent_grant
from engagement.models import EngagementDay, Event
from invitations.models import Invitation
from learning.files import private_storage
from learning.models import Award, Completion, Feedback
from notifications.models import Message, NotificationPreference
from privacy.registry import categories, category
from schools.models import Guardianship, Pupil
from tests.factories import (
    ActivityFactory,
    GuardianshipFactory,
    UserFactory,
    admin_of,
    confirmed_totp_device,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def families():
    """Two families at the same school: (parent, pupil) each."""
    mine = GuardianshipFactory(parent__mobile="+447700900111")
    theirs = GuardianshipFactory(pupil__school=mine.pupil.school, pupil__school_class=None)
    return (mine.parent, mine.pupil), (theirs.parent, theirs.pupil)


def _dump(data) -> str:
    return json.dumps(data)


def test_every_category_exports_json_for_a_parent_and_a_pupil(families):
    (parent, pupil), _ = families
    for found in categories():
        json.dumps(found.export(user=parent))
        json.dumps(found.export(pupil=pupil))


def test_a_category_needs_exactly_one_subject(families):
    (parent, pupil), _ = families
    with pytest.raises(ValueError):
        category("guardianships").export()
    with pytest.raises(ValueError):
        category("guardianships").erase(user=parent, pupil=pupil)


def test_account_export_and_erase_anonymise_only_that_account(families):
    (parent, _), (other, _) = families
    exported = category("account").export(user=parent)
    assert exported["email"] == parent.email and exported["mobile"] == "+447700900111"
    assert other.email not in _dump(exported)

    assert category("account").erase(user=parent) == 1
    parent = User.objects.get(pk=parent.pk)
    assert (parent.email, parent.first_name, parent.last_name, parent.mobile) == (None, "", "", "")
    assert not parent.is_active and not parent.has_usable_password()
    assert User.objects.get(pk=other.pk).email == other.email


def test_mobile_change_export_and_erase(families):
    (parent, _), (other, _) = families
    for user, mobile in ((parent, "+447700900222"), (other, "+447700900333")):
        MobileChange.objects.create(
            user=user, mobile=mobile, code_hash="x", expires_at=timezone.now()
        )
    assert "+447700900222" in _dump(category("mobile_change").export(user=parent))
    assert "+447700900333" not in _dump(category("mobile_change").export(user=parent))
    assert category("mobile_change").erase(user=parent) == 1
    assert list(MobileChange.objects.values_list("user", flat=True)) == [other.pk]


def test_pupil_identity_is_anonymised_and_other_pupils_kept(families):
    (_, pupil), (_, other) = families
    exported = category("pupil_identity").export(pupil=pupil)
    assert (exported["first_name"], exported["upn"]) == (pupil.first_name, pupil.upn)

    school_class = pupil.school_class
    assert category("pupil_identity").erase(pupil=pupil) == 1
    pupil = Pupil.objects.get(pk=pupil.pk)
    assert (pupil.first_name, pupil.last_name, pupil.upn, pupil.upn_hash) == ("", "", "", None)
    assert pupil.anonymised_at is not None and not pupil.pupil_premium
    # The class (and school) stay, for the class's counts; the name never shows blank.
    assert pupil.school_class == school_class and pupil.full_name == "Anonymised pupil"
    assert category("pupil_identity").erase(pupil=pupil) == 0
    assert Pupil.objects.get(pk=other.pk).upn == other.upn


def test_guardianships_by_parent_and_by_pupil(families):
    (parent, pupil), (other, other_pupil) = families
    assert [row["pupil"] for row in category("guardianships").export(user=parent)] == [pupil.pk]
    assert [row["parent"] for row in category("guardianships").export(pupil=pupil)] == [parent.pk]

    assert category("guardianships").erase(user=parent) == 1
    assert list(Guardianship.objects.values_list("parent", "pupil")) == [(other.pk, other_pupil.pk)]


def test_feedback_loses_comment_photo_and_parent_and_keeps_the_rating(
    families, private_folder, django_capture_on_commit_callbacks
):
    (parent, pupil), (other, other_pupil) = families
    activity = ActivityFactory()
    mine = Feedback(pupil=pupil, activity=activity, parent=parent, rating=4, comment="Loved it")
    mine.photo.save("kitchen.jpg", ContentFile(b"photo"), save=False)
    mine.save()
    theirs = Feedback.objects.create(
        pupil=other_pupil, activity=activity, parent=other, rating=2, comment="Too hard"
    )

    exported = category("feedback").export(user=parent)
    assert [(row["comment"], row["photo"]) for row in exported] == [("Loved it", mine.photo.name)]
    assert "Too hard" not in _dump(exported)

    with django_capture_on_commit_callbacks(execute=True):
        assert category("feedback").erase(pupil=pupil) == 1
    mine.refresh_from_db()
    assert (mine.comment, mine.photo.name, mine.parent, mine.rating) == ("", "", None, 4)
    assert not private_storage().exists(exported[0]["photo"])
    assert Feedback.objects.get(pk=theirs.pk).comment == "Too hard"


def test_completions_and_awards(families):
    (parent, pupil), (other, other_pupil) = families
    activity = ActivityFactory()
    Completion.objects.create(pupil=pupil, activity=activity, completed_by=parent)
    Completion.objects.create(pupil=other_pupil, activity=activity, completed_by=other)
    Award.objects.create(pupil=pupil, kind=Award.Kind.choices[0][0])
    Award.objects.create(pupil=other_pupil, kind=Award.Kind.choices[0][0])

    assert len(category("completions").export(user=parent)) == 1
    assert category("completions").erase(user=parent) == 1
    assert Completion.objects.filter(pupil=pupil, completed_by=None).count() == 1
    assert Completion.objects.get(pupil=other_pupil).completed_by == other

    assert len(category("awards").export(pupil=pupil)) == 1
    assert category("awards").erase(pupil=pupil) == 1
    assert list(Award.objects.values_list("pupil", flat=True)) == [other_pupil.pk]


def test_events_lose_their_parent_and_engagement_days_go(families):
    (parent, pupil), (other, other_pupil) = families
    school = pupil.school
    for user, child in ((parent, pupil), (other, other_pupil)):
        Event.objects.create(actor=user, school=school, pupil=child, kind="signed_in")
        EngagementDay.objects.create(
            school=school, parent=user, day=timezone.localdate(), week=timezone.localdate()
        )

    assert [row["pupil"] for row in category("events").export(user=parent)] == [pupil.pk]
    assert category("events").erase(user=parent) == 1
    assert Event.objects.filter(actor=None, pupil=pupil).count() == 1
    assert Event.objects.get(pupil=other_pupil).actor == other

    assert category("engagement_days").erase(user=parent) == 1
    assert list(EngagementDay.objects.values_list("parent", flat=True)) == [other.pk]


def test_invitations_sent_to_the_parent_go(families):
    (parent, pupil), (other, other_pupil) = families
    for user, child in ((parent, pupil), (other, other_pupil)):
        invitation = Invitation.objects.create(
            school=child.school,
            parent=None,
            contact_name=user.first_name,
            email=user.email,
            token_hash=f"hash-{user.pk}",
            expires_at=timezone.now(),
        )
        invitation.pupils.add(child)

    exported = category("invitations").export(user=parent)
    assert [row["email"] for row in exported] == [parent.email]
    assert category("invitations").erase(user=parent) >= 1
    assert list(Invitation.objects.values_list("email", flat=True)) == [other.email]


def test_messages_and_preferences(families):
    (parent, _), (other, _) = families
    for user in (parent, other):
        Message.objects.create(
            recipient=user,
            to_address=user.email,
            channel="email",
            template="test",
            body_text=f"Hello {user.first_name}",
            idempotency_key=f"test-{user.pk}",
        )
        NotificationPreference.objects.create(user=user, engagement_sms=False)

    exported = category("messages").export(user=parent)
    assert [row["body_text"] for row in exported] == [f"Hello {parent.first_name}"]
    assert category("messages").erase(user=parent) == 1
    assert list(Message.objects.values_list("recipient", flat=True)) == [other.pk]
    assert category("notification_preferences").erase(user=parent) == 1
    assert NotificationPreference.objects.filter(user=other).exists()


def test_consent_records_go_whole_chains_only(families):
    (parent, _), (other, _) = families
    for user in (parent, parent, other):
        consent_grant(
            user=user, purpose=Purpose.PLATFORM, wording="I agree", method=Method.SETTINGS
        )
    assert len(category("consent_records").export(user=parent)) == 2
    assert category("consent_records").erase(user=parent) == 2
    assert list(ConsentRecord.objects.values_list("user", flat=True)) == [other.pk]


def test_audit_entries_are_redacted_nested_data_included_never_deleted(families):
    (parent, pupil), (other, _) = families
    about_me = audit_record(
        actor=parent,
        action="feedback.save",
        subject=pupil,
        changes={"pupil": pupil.pk, "note": "Jo", "nested": {"names": ["Jo", "Sam"], "n": 2}},
    )
    theirs = audit_record(actor=other, action="feedback.save", changes={"note": "Kim"})

    assert "Jo" in _dump(category("audit_entries").export(user=parent))
    assert category("audit_entries").erase(pupil=pupil) == 1
    about_me.refresh_from_db()
    assert about_me.redacted_at is not None
    assert about_me.changes == {
        "pupil": pupil.pk,
        "note": "[redacted]",
        "nested": {"names": ["[redacted]", "[redacted]"], "n": 2},
    }
    assert AuditEntry.objects.get(pk=theirs.pk).changes == {"note": "Kim"}
    assert AuditEntry.objects.count() == 2


def test_security_events_of_the_account_go(families):
    (parent, _), (other, _) = families
    for user in (parent, other):
        SecurityEvent.objects.create(kind=SecurityEvent.Kind.choices[0][0], user=user)
    assert len(category("security_events").export(user=parent)) == 1
    assert category("security_events").erase(user=parent) == 1
    assert list(SecurityEvent.objects.values_list("user", flat=True)) == [other.pk]


def test_a_staff_members_second_factors_and_roles_go():
    staff = admin_of(GuardianshipFactory().pupil.school)
    confirmed_totp_device(staff)
    other = UserFactory()
    confirmed_totp_device(other)
    assert len(category("staff_roles").export(user=staff)) == 1
    assert category("second_factors").erase(user=staff) == 1
    assert category("staff_roles").erase(user=staff) == 1
    assert category("second_factors").export(user=other) != []
