"""Who an incident affects is worked out from its scope by a query over the data,
for each kind of scope: a school, class or family outside it is never affected."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import SecurityEvent
from notifications.models import Message
from privacy.models import Incident
from privacy.selectors import incident_affected, incident_affected_counts
from privacy.services import IncidentError, incident_scope_set
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory
from tests.privacy.incident_world import build_world, family, recorded

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def affected_parents(incident) -> set:
    return set(incident_affected(incident=incident).parents)


def affected_schools(incident) -> set:
    return set(incident_affected(incident=incident).schools)


def test_nobody_is_affected_until_the_scope_is_set(world):
    incident = recorded()
    counts = incident_affected_counts(incident=incident)
    assert (counts.schools, counts.parents, counts.pupils, counts.staff) == (0, 0, 0, 0)


def test_a_schools_scope_reaches_its_families_and_staff_and_no_other_school(world, staff):
    incident = recorded()
    incident_scope_set(incident=incident, kind="schools", schools=[world.oak], actor=staff)

    affected = incident_affected(incident=incident)
    assert affected_schools(incident) == {world.oak}
    parents = world.parents
    assert affected_parents(incident) == {parents["robin"], parents["wren"], parents["both"]}
    assert parents["owl"] not in affected_parents(incident)  # Elmwood's family
    assert set(affected.pupils) == {
        world.pupils["robin"],
        world.pupils["wren"],
        world.pupils["both"],
    }
    assert set(affected.staff) == {world.oak_admin, world.robins_teacher}
    counts = incident_affected_counts(incident=incident)
    assert (counts.schools, counts.parents, counts.pupils, counts.staff) == (1, 3, 3, 2)


def test_a_classes_scope_reaches_the_families_and_teachers_of_those_classes_only(world, staff):
    incident = recorded()
    incident_scope_set(incident=incident, kind="classes", classes=[world.robins], actor=staff)

    affected = incident_affected(incident=incident)
    assert affected_parents(incident) == {world.parents["robin"], world.parents["both"]}
    assert world.parents["wren"] not in affected_parents(incident)  # same school, other class
    assert set(affected.pupils) == {world.pupils["robin"], world.pupils["both"]}
    assert set(affected.staff) == {world.robins_teacher}
    assert affected_schools(incident) == {world.oak}


def sent_message(recipient, *, at, template="award", channel=Message.Channel.EMAIL):
    """A message written a minute before it was sent at ``at``."""
    message = Message.objects.create(
        recipient=recipient,
        to_address=recipient.email or recipient.mobile,
        channel=channel,
        template=template,
        body_text="…",
        status=Message.Status.SENT,
        sent_at=at,
        idempotency_key=f"test:{recipient.pk}:{at.timestamp()}:{template}:{channel}",
    )
    Message.objects.filter(pk=message.pk).update(created_at=at - timedelta(minutes=1))
    return message


def test_a_messages_scope_reaches_whoever_was_sent_one_in_the_window(world, staff):
    now = timezone.now()
    start, end = now - timedelta(hours=3), now - timedelta(hours=1)
    sent_message(world.parents["robin"], at=start + timedelta(minutes=5))
    sent_message(world.elm_admin, at=end - timedelta(minutes=5))
    sent_message(world.parents["wren"], at=end + timedelta(minutes=5))  # after the window
    sent_message(world.parents["both"], at=start - timedelta(minutes=5))  # before it
    incident = recorded()
    incident_scope_set(
        incident=incident, kind="messages", starts_at=start, ends_at=end, actor=staff
    )

    affected = incident_affected(incident=incident)
    assert affected_parents(incident) == {world.parents["robin"]}
    assert set(affected.staff) == {world.elm_admin}
    assert set(affected.pupils) == {world.pupils["robin"]}
    # The parent's school and the admin's school.
    assert affected_schools(incident) == {world.oak, world.elm}


def test_a_messages_scope_can_be_narrowed_to_one_template_and_channel(world, staff):
    now = timezone.now()
    start = now - timedelta(hours=2)
    sent_message(world.parents["robin"], at=now - timedelta(hours=1), template="invitation")
    sent_message(world.parents["wren"], at=now - timedelta(hours=1), template="award")
    sent_message(
        world.parents["owl"], at=now - timedelta(hours=1), template="invitation", channel="sms"
    )
    incident = recorded()
    incident_scope_set(
        incident=incident,
        kind="messages",
        starts_at=start,
        ends_at=now,
        template="invitation",
        channel="email",
        actor=staff,
    )
    assert affected_parents(incident) == {world.parents["robin"]}


def test_a_message_never_sent_reaches_nobody(world, staff):
    now = timezone.now()
    message = sent_message(world.parents["robin"], at=now - timedelta(minutes=30))
    Message.objects.filter(pk=message.pk).update(status=Message.Status.FAILED)
    incident = recorded()
    incident_scope_set(
        incident=incident,
        kind="messages",
        starts_at=now - timedelta(hours=1),
        ends_at=now,
        actor=staff,
    )
    assert affected_parents(incident) == set()


def test_a_sign_ins_scope_reaches_the_accounts_that_signed_in_then(world, staff):
    now = timezone.now()
    start, end = now - timedelta(days=2), now - timedelta(days=1)
    SecurityEvent.objects.create(
        kind="sign_in", user=world.parents["both"], at=start + timedelta(hours=1)
    )
    SecurityEvent.objects.create(
        kind="sign_in", user=world.robins_teacher, at=start + timedelta(hours=2)
    )
    SecurityEvent.objects.create(
        kind="sign_in_failed", user=world.parents["wren"], at=start + timedelta(hours=1)
    )
    SecurityEvent.objects.create(
        kind="sign_in", user=world.parents["owl"], at=end + timedelta(hours=1)
    )
    incident = recorded()
    incident_scope_set(
        incident=incident, kind="sign_ins", starts_at=start, ends_at=end, actor=staff
    )

    affected = incident_affected(incident=incident)
    assert affected_parents(incident) == {world.parents["both"]}
    # Both of that parent's children, at both schools.
    assert set(affected.pupils) == {world.pupils["both"], world.pupils["both_elm"]}
    assert set(affected.staff) == {world.robins_teacher}
    assert affected_schools(incident) == {world.oak, world.elm}


def test_families_who_joined_after_it_was_found_are_not_affected(world, staff):
    incident = recorded(found_at=timezone.now() - timedelta(minutes=1))
    latecomer, _ = family(world, "late", world.robins, email="late@example.org")
    incident_scope_set(incident=incident, kind="schools", schools=[world.oak], actor=staff)
    assert latecomer not in affected_parents(incident)
    assert world.pupils["late"] not in set(incident_affected(incident=incident).pupils)


def test_anonymised_children_and_their_links_are_not_counted(world, staff):
    pupil = world.pupils["wren"]
    Pupil = type(pupil)
    Pupil.objects.filter(pk=pupil.pk).update(
        anonymised_at=timezone.now(), upn="", upn_hash=None, first_name="", last_name=""
    )
    incident = recorded()
    incident_scope_set(incident=incident, kind="classes", classes=[world.wrens], actor=staff)
    counts = incident_affected_counts(incident=incident)
    assert (counts.parents, counts.pupils) == (0, 0)


def test_a_parent_with_two_children_in_scope_counts_once(world, staff):
    second = PupilFactory(school=world.oak, school_class=world.robins)
    GuardianshipFactory(parent=world.parents["robin"], pupil=second)
    incident = recorded()
    incident_scope_set(incident=incident, kind="classes", classes=[world.robins], actor=staff)
    counts = incident_affected_counts(incident=incident)
    assert (counts.parents, counts.pupils) == (2, 3)


@pytest.mark.parametrize(
    ("kind", "arguments", "error"),
    [
        ("schools", {}, "Choose at least one school."),
        ("classes", {}, "Choose at least one class."),
        ("messages", {}, "Give a time window"),
        ("sign_ins", {"starts_at": "later", "ends_at": "earlier"}, "Give a time window"),
        ("everyone", {}, "Unknown kind of scope"),
    ],
)
def test_a_scope_without_what_it_needs_is_refused_and_nothing_changes(
    world, staff, kind, arguments, error
):
    now = timezone.now()
    times = {"later": now, "earlier": now - timedelta(hours=1)}
    arguments = {name: times.get(value, value) for name, value in arguments.items()}
    incident = recorded()
    with pytest.raises(IncidentError, match=error):
        incident_scope_set(incident=incident, kind=kind, actor=staff, **arguments)
    incident.refresh_from_db()
    assert incident.scope_kind == ""


def test_setting_the_scope_again_replaces_it(world, staff):
    incident = recorded()
    incident_scope_set(incident=incident, kind="schools", schools=[world.oak], actor=staff)
    incident_scope_set(incident=incident, kind="classes", classes=[world.owls], actor=staff)
    incident = Incident.objects.get(pk=incident.pk)
    assert list(incident.scope_schools.all()) == []
    assert affected_parents(incident) == {world.parents["owl"], world.parents["both"]}
