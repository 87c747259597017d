"""An incident's notices go through the outbox: once to each admin of an affected
school and once per channel to each affected parent, never twice however often
staff send them, never to anyone outside the scope; as legal notices, they
reach closed and restricted accounts too."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import account_close, processing_restriction_set
from notifications import sms
from notifications.models import Message
from notifications.services import message_cancel_pending
from privacy.selectors import (
    EMAIL,
    SMS,
    incident_family_notice_counts,
    incident_school_notice_counts,
)
from privacy.services import (
    IncidentError,
    incident_notify_families,
    incident_notify_schools,
    incident_scope_set,
    incident_update,
)
from privacy.services.notices import LEGAL
from privacy.tasks import incident_notify_families_task
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory, admin_of
from tests.privacy.incident_world import NOTICE, build_world, recorded

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def scoped(staff, **scope):
    incident = recorded(actor=staff)
    incident_scope_set(incident=incident, actor=staff, **scope)
    return incident


def notices(template):
    return Message.objects.filter(template=template)


def test_the_outbox_values_used_here_are_the_outboxs_own():
    assert (EMAIL, SMS, LEGAL) == (
        Message.Channel.EMAIL,
        Message.Channel.SMS,
        Message.Kind.LEGAL,
    )


# --- Schools -------------------------------------------------------------------------


def test_each_affected_schools_admins_are_told_once_with_their_schools_counts(
    world, staff, django_capture_on_commit_callbacks
):
    incident = scoped(staff, kind="classes", classes=[world.robins])
    with django_capture_on_commit_callbacks(execute=True):
        assert incident_notify_schools(incident=incident, actor=staff) == 1

    (message,) = notices("incident_school")
    assert message.recipient == world.oak_admin  # Elmwood is not in scope
    assert message.kind == Message.Kind.LEGAL
    assert message.reference == f"incident:{incident.pk}:schools"
    assert (
        "Oakfield Primary: 2 pupils, 2 parents or carers, 1 member of staff." in message.body_text
    )
    for words in NOTICE.values():
        assert words in message.body_text
    assert [sent.to for sent in mail.outbox] == [[world.oak_admin.email]]
    incident.refresh_from_db()
    assert incident.schools_notified_at is not None
    assert incident.school_notices == 1


def test_sending_the_school_notices_again_sends_nothing_new(world, staff):
    incident = scoped(staff, kind="schools", schools=[world.oak, world.elm])
    assert incident_notify_schools(incident=incident, actor=staff) == 2
    first_sent_at = incident.schools_notified_at

    assert incident_school_notice_counts(incident=incident).to_send == 0
    assert incident_notify_schools(incident=incident, actor=staff) == 0

    assert notices("incident_school").count() == 2
    incident.refresh_from_db()
    assert (incident.schools_notified_at, incident.school_notices) == (first_sent_at, 2)


def test_an_admin_of_two_affected_schools_gets_one_notice_naming_both(world, staff):
    both = admin_of(world.elm, email="both@example.org")
    from accounts.models import Membership

    Membership.objects.create(user=both, school=world.oak, role=Membership.Role.ADMIN)
    incident = scoped(staff, kind="schools", schools=[world.oak, world.elm])

    counts = incident_school_notice_counts(incident=incident)
    assert (counts.schools, counts.admins, counts.to_send) == (2, 3, 3)
    incident_notify_schools(incident=incident, actor=staff)

    (message,) = notices("incident_school").filter(recipient=both)
    assert "Oakfield Primary:" in message.body_text
    assert "Elmwood Primary:" in message.body_text
    title = message.body_html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "Elmwood Primary" in title and "Oakfield Primary" in title


def test_a_closed_admin_account_is_not_told_and_a_school_without_admin_is_counted(world, staff):
    account_close(user=world.elm_admin, actor=world.elm_admin, reason="own_request")
    incident = scoped(staff, kind="schools", schools=[world.oak, world.elm])

    counts = incident_school_notice_counts(incident=incident)
    assert (counts.admins, counts.schools_without_admin) == (1, 1)
    incident_notify_schools(incident=incident, actor=staff)
    assert set(notices("incident_school").values_list("recipient", flat=True)) == {
        world.oak_admin.pk
    }


# --- Families ------------------------------------------------------------------------


def test_each_affected_parent_is_told_on_each_channel_and_nobody_else(
    world, staff, django_capture_on_commit_callbacks
):
    incident = scoped(staff, kind="classes", classes=[world.robins])
    counts = incident_family_notice_counts(incident=incident)
    assert (counts.parents, counts.emails, counts.texts, counts.to_send) == (2, 2, 1, 3)

    with django_capture_on_commit_callbacks(execute=True):
        assert incident_notify_families(incident=incident, actor=staff) == 3

    sent = set(notices("incident_family").values_list("recipient", "channel"))
    robin, both = world.parents["robin"], world.parents["both"]
    assert sent == {(robin.pk, "email"), (robin.pk, "sms"), (both.pk, "email")}
    assert sorted(sent.to[0] for sent in mail.outbox) == sorted([robin.email, both.email])
    assert [text.to for text in sms.outbox] == [robin.mobile]
    email = notices("incident_family").get(recipient=robin, channel="email")
    assert email.kind == Message.Kind.LEGAL
    assert "Oakfield Primary uses for home learning" in email.body_text
    for words in NOTICE.values():
        assert words in email.body_text
    assert "We have emailed you the details." in sms.outbox[0].body
    incident.refresh_from_db()
    assert incident.families_notified_at is not None
    assert incident.family_notices == 3


def test_a_parent_with_children_at_two_affected_schools_gets_one_notice_naming_both(world, staff):
    incident = scoped(staff, kind="schools", schools=[world.oak, world.elm])
    incident_notify_families(incident=incident, actor=staff)
    (message,) = notices("incident_family").filter(recipient=world.parents["both"])
    assert "Elmwood Primary and Oakfield Primary use for home learning" in message.body_text
    # The email comes from the children's schools: its header and title name them.
    assert "<title>Elmwood Primary and Oakfield Primary: " in message.body_html
    assert message.body_text.startswith("Elmwood Primary and Oakfield Primary")


def test_sending_the_family_notices_again_sends_nothing_new_and_a_wider_scope_only_the_new(
    world, staff
):
    incident = scoped(staff, kind="classes", classes=[world.robins])
    assert incident_notify_families(incident=incident, actor=staff) == 3
    assert incident_notify_families(incident=incident, actor=staff) == 0
    assert notices("incident_family").count() == 3

    incident_scope_set(incident=incident, kind="schools", schools=[world.oak], actor=staff)
    assert incident_family_notice_counts(incident=incident).to_send == 1
    assert incident_notify_families(incident=incident, actor=staff) == 1
    assert notices("incident_family").filter(recipient=world.parents["wren"]).count() == 1
    assert notices("incident_family").count() == 4
    incident.refresh_from_db()
    assert incident.family_notices == 4


def test_closed_and_restricted_parents_are_told_because_the_law_requires_it(
    world, staff, django_capture_on_commit_callbacks
):
    robin, both = world.parents["robin"], world.parents["both"]
    account_close(user=robin, actor=robin, reason="own_request")
    processing_restriction_set(user=both, restricted=True, actor=both)
    incident = scoped(staff, kind="classes", classes=[world.robins])
    counts = incident_family_notice_counts(incident=incident)
    assert (counts.closed, counts.restricted, counts.to_send) == (1, 1, 3)

    with django_capture_on_commit_callbacks(execute=True):
        incident_notify_families(incident=incident, actor=staff)

    statuses = set(notices("incident_family").values_list("status", flat=True))
    assert statuses == {Message.Status.SENT}
    assert sorted(sent.to[0] for sent in mail.outbox) == sorted([robin.email, both.email])


def test_closing_or_restricting_an_account_leaves_its_legal_notices_to_go(world, staff):
    parent = world.parents["robin"]
    incident = scoped(staff, kind="classes", classes=[world.robins])
    incident_notify_families(incident=incident, actor=staff)
    assert message_cancel_pending(recipient=parent) == 0
    assert set(notices("incident_family").values_list("status", flat=True)) == {"pending"}


def test_a_parent_reached_only_by_text_gets_what_happened_in_it(world, staff):
    incident = scoped(staff, kind="classes", classes=[world.owls])
    incident_notify_families(incident=incident, actor=staff)
    text = notices("incident_family").get(recipient=world.parents["owl"], channel="sms")
    assert NOTICE["notice_summary"] in text.body_text
    assert NOTICE["notice_contact"] in text.body_text
    assert "We have emailed you" not in text.body_text


def test_a_long_notice_still_fits_a_text_by_saying_less(world, staff):
    incident = scoped(staff, kind="classes", classes=[world.owls])
    incident_update(incident=incident, actor=staff, notice_summary="Long words. " * 40)
    incident_notify_families(incident=incident, actor=staff)
    text = notices("incident_family").get(recipient=world.parents["owl"], channel="sms")
    assert "Long words" not in text.body_text
    assert NOTICE["notice_contact"] in text.body_text


def test_a_parent_without_any_address_is_counted_as_unreachable(world, staff):
    GuardianshipFactory(
        parent=UserFactory(email=None, mobile=""),
        pupil=PupilFactory(school=world.elm, school_class=world.owls),
    )
    incident = scoped(staff, kind="classes", classes=[world.owls])
    assert incident_family_notice_counts(incident=incident).unreachable == 1
    assert incident_notify_families(incident=incident, actor=staff) == 2  # owl's text, both's email


def test_the_task_sends_the_family_notices(world, staff):
    incident = scoped(staff, kind="classes", classes=[world.robins])
    incident_notify_families_task.delay(incident.pk, staff.pk)
    assert notices("incident_family").count() == 3


# --- What must be in place first -----------------------------------------------------


def test_notices_wait_for_the_scope_and_the_notices_words(world, staff):
    incident = recorded(actor=staff)
    with pytest.raises(IncidentError, match="Set the scope first"):
        incident_notify_schools(incident=incident, actor=staff)
    incident_scope_set(incident=incident, kind="schools", schools=[world.oak], actor=staff)
    incident_update(incident=incident, actor=staff, notice_actions="", notice_contact="")
    with pytest.raises(IncidentError, match="what we are doing, who to contact"):
        incident_notify_families(incident=incident, actor=staff)
    assert not Message.objects.filter(template__startswith="incident").exists()


def test_a_closed_incident_sends_nothing(world, staff):
    incident = scoped(staff, kind="schools", schools=[world.oak])
    incident.closed_at = timezone.now()
    incident.save(update_fields=["closed_at"])
    with pytest.raises(IncidentError, match="closed"):
        incident_notify_families(incident=incident, actor=staff)
    assert not notices("incident_family").exists()


# --- Cost ----------------------------------------------------------------------------


def _families(world, count):
    for number in range(count):
        GuardianshipFactory(
            parent=UserFactory(mobile=f"+4477009{number:05d}"),
            pupil=PupilFactory(school=world.oak, school_class=world.wrens),
        )


def _queries_to_notify(staff, world) -> tuple[int, int]:
    """The queries sending both notices costs, the outbox's INSERTs aside (one per
    500 messages, which SQLite splits further by its limit on parameters)."""
    incident = scoped(staff, kind="classes", classes=[world.wrens])
    with CaptureQueriesContext(connection) as queries:
        queued = incident_notify_families(incident=incident, actor=staff)
        incident_notify_schools(incident=incident, actor=staff)
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "notifications_message"')]
    assert 1 <= len(inserts) <= (3 if connection.vendor == "sqlite" else 2)
    return len(queries) - len(inserts), queued


def test_notifying_costs_the_same_queries_for_5_or_50_families(world, staff):
    _families(world, 4)  # and the Wrens' own family: 5
    five, queued = _queries_to_notify(staff, world)
    assert queued == 2 * 4 + 1  # an email and a text each, and wren's email
    _families(world, 45)
    fifty, queued = _queries_to_notify(staff, world)
    assert queued == 2 * 49 + 1
    assert fifty == five
