"""Leavers: a pupil the school removes, by hand or by a roster import's
``--remove-missing``. Staff stop seeing the child, the parents who had joined keep
the child's space and are told once, by a service message, how to close their
account."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from notifications.models import Message
from schools.models import Guardianship, Pupil
from schools.services import Reason, pupil_mark_left, pupils_remove, roster_apply
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    sign_in_verified,
    teacher_of,
)
from tests.schools.roster_files import roster, row

pytestmark = pytest.mark.django_db

SETTINGS_LINK = "https://portal.example.org/account/"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://portal.example.org/"


def left_messages():
    return Message.objects.filter(template="pupil_left")


def test_marking_left_by_hand_tells_each_joined_parent_once(school):
    admin = admin_of(school)
    pupil = PupilFactory(school=school, first_name="Amy")
    mother = GuardianshipFactory(pupil=pupil, parent=UserFactory(email="mum@example.org"))
    father = GuardianshipFactory(
        pupil=pupil, parent=UserFactory(email=None, mobile="+447911123456")
    )
    # Imported or invited but never joined: nothing to tell, nothing they can see.
    GuardianshipFactory(pupil=pupil, confirmed_at=None, parent=UserFactory(is_active=False))
    closed = UserFactory(closed_at=timezone.now(), is_active=False)
    GuardianshipFactory(pupil=pupil, parent=closed)
    restricted = UserFactory(processing_restricted=True)
    GuardianshipFactory(pupil=pupil, parent=restricted)
    GuardianshipFactory(pupil=pupil, ended_at=timezone.now())

    pupil_mark_left(pupil=pupil, actor=admin)
    with pytest.raises(Exception, match="already marked"):
        pupil_mark_left(pupil=pupil, actor=admin)
    pupils_remove(school=school, pupil_ids=[pupil.pk], actor=admin, reason=Reason.BY_HAND)

    messages = left_messages()
    assert {message.recipient for message in messages} == {mother.parent, father.parent}
    email = messages.get(recipient=mother.parent)
    assert (email.channel, email.kind) == (Message.Channel.EMAIL, Message.Kind.SERVICE)
    assert email.subject == "Oakfield Primary has recorded that Amy has left"
    assert "Oakfield Primary has recorded that Amy has left the school" in email.body_text
    assert "Amy's space stays readable" in email.body_text
    assert SETTINGS_LINK in email.body_text
    assert f'href="{SETTINGS_LINK}"' in email.body_html
    text = messages.get(recipient=father.parent)
    assert text.channel == Message.Channel.SMS
    assert SETTINGS_LINK in text.body_text
    assert AuditEntry.objects.filter(action="pupils.remove").count() == 1


def _joined_family(school):
    """Two children of one mother and a third child of another family, on roll
    through a first import; then both mothers join (accept their invitations)."""
    content = roster(
        row(1, first="Amy", contact_first="Jane", email="jane@example.org"),
        row(2, first="Ben", contact_first="Jane", email="jane@example.org"),
        row(3, first="Cara", contact_first="Kim", email="kim@example.org"),
        row(4, first="Dan", contact_first="Lee", email="lee@example.org"),
    )
    roster_apply(school=school, content=content, remove_missing=False, actor=None)
    links = Guardianship.objects.filter(pupil__school=school)
    links.update(confirmed_at=timezone.now())
    User.objects.filter(guardianships__in=links).update(is_active=True)


def test_roster_remove_missing_sends_one_message_per_parent_naming_all_their_children(
    school, tmp_path
):
    _joined_family(school)
    path = tmp_path / "roster.csv"
    path.write_bytes(roster(row(4, first="Dan", contact_first="Lee", email="lee@example.org")))

    call_command(
        "import_roster", "--school", "123456", "--remove-missing", str(path), stdout=StringIO()
    )
    call_command(
        "import_roster", "--school", "123456", "--remove-missing", str(path), stdout=StringIO()
    )

    messages = left_messages().order_by("to_address")
    assert [message.to_address for message in messages] == ["jane@example.org", "kim@example.org"]
    jane = messages[0]
    assert "Amy and Ben have left the school" in jane.body_text
    assert "each child's space stays readable" in jane.body_text
    assert SETTINGS_LINK in jane.body_text
    assert "Cara has left" in messages[1].body_text
    entry = AuditEntry.objects.get(action="pupils.remove")
    removed = sorted(
        Pupil.objects.filter(first_name__in=["Amy", "Ben", "Cara"]).values_list("pk", flat=True)
    )
    assert entry.changes == {
        "reason": Reason.ROSTER,
        "pupils": removed,
        "removed": 3,
        "parents_told": 2,
    }
    assert "Amy" not in str(entry.changes)


def test_staff_stop_seeing_a_removed_pupil_and_the_parent_still_opens_the_childs_space(school):
    admin = admin_of(school)
    school_class = SchoolClassFactory(school=school)
    pupil = PupilFactory(school=school, school_class=school_class, first_name="Zebedee")
    guardianship = GuardianshipFactory(pupil=pupil)
    teacher = teacher_of(school_class)
    teacher_client = Client()
    sign_in_verified(teacher_client, teacher)
    pupil_url = reverse("schools:pupil_detail", args=[school.pk, pupil.pk])
    class_url = reverse("schools:class_detail", args=[school_class.pk])
    assert teacher_client.get(pupil_url).status_code == 200
    assert "Zebedee" in teacher_client.get(class_url).content.decode()

    pupil_mark_left(pupil=pupil, actor=admin)

    assert teacher_client.get(pupil_url).status_code == 404
    class_page = teacher_client.get(class_url)
    assert class_page.status_code == 200
    assert "Zebedee" not in class_page.content.decode()
    parent_client = Client()
    parent_client.force_login(guardianship.parent)
    space = parent_client.get(reverse("learning:child_space", args=[pupil.pk]))
    assert space.status_code == 200
    assert "Zebedee" in space.content.decode()


def test_removing_pupils_costs_the_same_queries_for_one_family_or_thirty(school):
    admin = admin_of(school)

    def queries_for(families: int) -> int:
        pupils = []
        for _ in range(families):
            pupil = PupilFactory(school=school)
            GuardianshipFactory(pupil=pupil)
            pupils.append(pupil.pk)
        with CaptureQueriesContext(connection) as queries:
            pupils_remove(school=school, pupil_ids=pupils, actor=admin, reason=Reason.ROSTER)
        assert (
            left_messages().filter(recipient__guardianships__pupil__in=pupils).count() == families
        )
        return len(queries)

    assert queries_for(1) == queries_for(30)


def test_a_roster_removing_thirty_families_costs_the_queries_of_one():
    def queries_for(families: int) -> int:
        school = SchoolFactory()
        rows = [
            row(serial, contact_first="Pat", email=f"parent{families}-{serial}@example.org")
            for serial in range(1, families + 2)
        ]
        roster_apply(school=school, content=roster(*rows), remove_missing=False, actor=None)
        links = Guardianship.objects.filter(pupil__school=school)
        links.update(confirmed_at=timezone.now())
        User.objects.filter(guardianships__in=links).update(is_active=True)
        with CaptureQueriesContext(connection) as queries:
            roster_apply(school=school, content=roster(rows[-1]), remove_missing=True, actor=None)
        assert left_messages().filter(recipient__guardianships__pupil__school=school).count() == (
            families
        )
        return len(queries)

    assert queries_for(1) == queries_for(30)


def test_a_text_about_many_children_at_a_long_named_school_still_fits_two_texts(school):
    school.name = "The Most Reverend Archbishop of Somewhere Church of England Primary Academy"
    school.save()
    parent = UserFactory(email=None, mobile="+447911123456")
    pupils = [
        GuardianshipFactory(parent=parent, pupil=PupilFactory(school=school, first_name=name)).pupil
        for name in ("Maximilian", "Anastasia", "Bartholomew", "Wilhelmina")
    ]

    pupils_remove(
        school=school, pupil_ids=[pupil.pk for pupil in pupils], actor=None, reason=Reason.ROSTER
    )

    text = left_messages().get(recipient=parent)
    assert text.channel == Message.Channel.SMS
    assert SETTINGS_LINK in text.body_text
    assert len(text.body_text) <= 306
