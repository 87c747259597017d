"""A family with personal data in every place the portal keeps it, made through the
services a family and its school use, each value distinctive enough to find in a
dump of the whole database: for the erasure tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import MobileChange, User
from audit.models import SecurityEvent
from audit.services import audit_record, security_event_record
from consent.models import Method, Purpose
from consent.services import consent_grant
from consent.wording import PURPOSE_STATEMENT
from invitations.services import invitation_accept, invitations_create
from learning.models import Activity, Feedback
from learning.photos import photo_prepare
from learning.services import completion_record, feedback_save
from notifications.services import notification_preferences_set
from privacy.services import privacy_request_open
from schools.models import Pupil, RosterImport, School, SchoolClass
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    admin_of,
    make_upn,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed
from tests.learning.space_world import jpeg_bytes

PASSWORD = "correct-horse-battery"
PARENT_FIRST = "Quillonette"
PARENT_LAST = "Brackenwhistle"
PARENT_EMAIL = "quillonette.brackenwhistle@example.org"
PARENT_MOBILE = "+447700900987"
NEW_MOBILE = "+447700900986"
CHILD_FIRST = "Zephyrinda"
CHILD_UPN = make_upn(987, la=873, establishment=4321)
COMMENT = "Zephyrinda counted nineteen snails by the greenhouse"
PHOTO_TEXT = b"zephyrinda-photo-of-the-snail-trail"
BROWSER = "QuillonettePhone/7.1"
REQUEST_DETAILS = "Quillonette Brackenwhistle would like a copy of everything"


@dataclass
class Family:
    school: School
    school_class: SchoolClass
    parent: User
    child: Pupil
    teacher: User
    admin: User
    activities: list[Activity]
    photos: list[str] = field(default_factory=list)

    @property
    def secrets(self) -> list[str]:
        """Everything that must be gone after the family's erasure."""
        return [
            PARENT_FIRST,
            PARENT_LAST,
            PARENT_EMAIL,
            PARENT_MOBILE,
            PARENT_MOBILE.replace("+44", "0"),
            NEW_MOBILE,
            CHILD_FIRST,
            CHILD_UPN,
            COMMENT,
            PHOTO_TEXT.decode(),
            BROWSER,
            REQUEST_DETAILS,
        ]


def _school() -> tuple[School, SchoolClass, User, User]:
    school = SchoolFactory(name="Larkspur Primary")
    school_class = SchoolClassFactory(school=school, name="Kestrels")
    return school, school_class, admin_of(school), teacher_of(school_class)


def _joined_parent(school: School, child: Pupil, admin: User) -> User:
    """Invited by the school (email and text), accepted with consent."""
    parent = imported_parent(
        first_name=PARENT_FIRST, last_name=PARENT_LAST, email=PARENT_EMAIL, mobile=PARENT_MOBILE
    )
    link_unconfirmed(parent, child)
    (invitation,) = invitations_create(school=school, pupils=[child], channels="both", actor=admin)
    invitation_accept(
        invitation=invitation,
        user=parent,
        consents={
            Purpose.PLATFORM: PURPOSE_STATEMENT[Purpose.PLATFORM],
            Purpose.MEDIA_PROMOTION: PURPOSE_STATEMENT[Purpose.MEDIA_PROMOTION],
        },
        actor=parent,
    )
    parent.refresh_from_db()
    parent.set_password(PASSWORD)
    parent.save()
    return parent


def family_world(client=None) -> Family:
    """The family (a parent and a child no one else holds) and their school. With a
    test client, the parent also signs in with it (a session, a security event)."""
    school, school_class, admin, teacher = _school()
    child = PupilFactory(
        school=school,
        school_class=school_class,
        first_name=CHILD_FIRST,
        last_name=PARENT_LAST,
        upn=CHILD_UPN,
        pupil_premium=True,
    )
    parent = _joined_parent(school, child, admin)
    topic = TopicFactory(title="Garden creatures")
    activities = [ActivityFactory(topic=topic, title=f"Snail count {n}") for n in (1, 2)]
    AssignmentFactory(topic=topic, school_class=school_class)
    family = Family(school, school_class, parent, child, teacher, admin, activities)
    _family_work(family)
    _family_account(family, client)
    return family


def _family_work(family: Family) -> None:
    parent, child = family.parent, family.child
    for activity in family.activities:
        completion_record(pupil=child, activity=activity, actor=parent)
    upload = SimpleUploadedFile("snail.jpg", jpeg_bytes(), content_type="image/jpeg")
    saved = feedback_save(
        pupil=child,
        activity=family.activities[0],
        actor=parent,
        rating=5,
        comment=COMMENT,
        photo=photo_prepare(upload),
    )
    # A photo file whose bytes can be looked for in the storage folder.
    second = Feedback(pupil=child, activity=family.activities[1], parent=parent, rating=4)
    second.comment = f"{COMMENT} (again)"
    second.photo.save("trail.jpg", ContentFile(PHOTO_TEXT), save=False)
    second.save()
    family.photos = [saved.photo.name, second.photo.name]


def _family_account(family: Family, client) -> None:
    parent, child = family.parent, family.child
    EmailAddress.objects.get_or_create(
        user=parent, email=PARENT_EMAIL, defaults={"verified": True, "primary": True}
    )
    MobileChange.objects.create(
        user=parent, mobile=NEW_MOBILE, code_hash="x" * 64, expires_at=timezone.now()
    )
    notification_preferences_set(user=parent, engagement_email=True, engagement_sms=False)
    consent_grant(
        user=parent,
        purpose=Purpose.MARKETING_EMAIL,
        wording=PURPOSE_STATEMENT[Purpose.MARKETING_EMAIL],
        method=Method.SETTINGS,
    )
    privacy_request_open(
        kind="access", actor=parent, requester=parent, subject_user=parent, details=REQUEST_DETAILS
    )
    # Entries whose changes hold personal data nested deep (they should not, but an
    # erasure must not rely on that), by the parent and by staff about the family.
    audit_record(
        actor=parent,
        action="feedback.note",
        subject=child,
        changes={"pupil": child.pk, "said": {"by": [PARENT_FIRST, {"email": PARENT_EMAIL}]}},
    )
    audit_record(
        actor=family.admin,
        action="user.note",
        subject=parent,
        changes={"mobile": PARENT_MOBILE, "upns": [[CHILD_UPN]], PARENT_LAST: 1},
    )
    audit_record(
        actor=family.admin,
        action="guardianship.note",
        school=family.school,
        changes={"parent": parent.pk, "contact": {"mobile": PARENT_MOBILE}},
    )
    security_event_record(kind=SecurityEvent.Kind.PASSWORD_CHANGED, user=parent)
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.SIGN_IN, user=parent, ip_address="192.0.2.7", user_agent=BROWSER
    )
    LogEntry.objects.create(
        user=family.admin,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(parent.pk),
        object_repr=str(parent),
        action_flag=CHANGE,
        change_message=f"Changed mobile for {PARENT_FIRST}",
    )
    RosterImport.objects.create(
        school=family.school,
        uploaded_by=family.admin,
        file_name="roster.csv",
        content=f"UPN,Forename,Email\n{CHILD_UPN},{CHILD_FIRST},{PARENT_EMAIL}\n".encode(),
    )
    if client is not None:
        client.post(
            "/accounts/login/",
            {"login": PARENT_EMAIL, "password": PASSWORD},
            HTTP_USER_AGENT=BROWSER,
        )
