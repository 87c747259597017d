"""A worker killed in the middle of a 1,000-message batch loses nothing.

The batch is queued by the invitation service (500 parents, email and SMS each)
and delivered by a real Celery worker on Redis and PostgreSQL, whose email and
SMS backends record every send in a file (tests/notifications/recording.py):
that file is the provider's side, so a message sent twice shows up twice there
whatever its outbox row says.

The worker is SIGKILLed twice mid-batch and started again each time. Tasks it
held are gone with it (they stay unacknowledged on the broker); the outbox's
periodic requeue, run here with a stale window of a second, sends them. Each
worker has one pool process, so at most one message is between the provider
accepting it and its row being committed as sent when the kill lands: one
possible duplicate per kill, and no more.
"""

from datetime import timedelta

import pytest

from accounts.lookup import mobile_lookup_hash
from accounts.models import User
from invitations.models import Invitation
from invitations.services import invitations_create
from notifications.models import Message
from notifications.services import messages_requeue_stale
from schools.models import Guardianship, Pupil
from tests.factories import SchoolFactory, admin_of

pytestmark = [
    # One pool process: one message in flight when the worker dies. The provider
    # takes 5 ms to answer, so a kill often lands between sending and recording.
    pytest.mark.celery_worker(concurrency=1, record=True, provider_latency=0.005),
    pytest.mark.django_db(transaction=True),
]

PARENTS = 500
BATCH = 2 * PARENTS  # an email and an SMS each
KILL_AFTER = (250, 600)  # messages the provider has received when each kill lands


def school_of_unregistered_parents(parents: int):
    """A school whose pupils each have one imported, unconfirmed parent with an
    email address and a mobile number (Ofcom's drama range, never a real phone)."""
    school = SchoolFactory()
    users = User.objects.bulk_create(
        User(
            email=f"parent{serial}@example.org",
            first_name="Parent",
            last_name=f"Family{serial}",
            mobile=f"+44770090{serial:04d}",
            mobile_hash=mobile_lookup_hash(f"+44770090{serial:04d}"),
            is_active=False,
        )
        for serial in range(parents)
    )
    pupils = Pupil.objects.bulk_create(
        Pupil(school=school, first_name=f"Child{serial}", last_name=f"Family{serial}")
        for serial in range(parents)
    )
    Guardianship.objects.bulk_create(
        Guardianship(parent=parent, pupil=pupil, relationship="Mother")
        for parent, pupil in zip(users, pupils, strict=True)
    )
    return school, pupils


def test_worker_killed_twice_mid_batch_delivers_all_1000_with_at_most_a_duplicate_per_kill(
    celery_worker,
):
    school, pupils = school_of_unregistered_parents(PARENTS)
    invitations = invitations_create(
        school=school, pupils=pupils, channels=Invitation.Channels.BOTH, actor=admin_of(school)
    )
    # Committed: the tasks are on the broker and the worker is sending.
    assert len(invitations) == PARENTS
    expected = set(Message.objects.values_list("channel", "to_address"))
    assert len(expected) == BATCH

    def delivered() -> int:
        return len(celery_worker.deliveries())

    for threshold in KILL_AFTER:
        celery_worker.wait_for(
            lambda threshold=threshold: delivered() >= threshold,
            what=f"{threshold} messages to reach the provider",
        )
        celery_worker.kill()
        at_kill = delivered()
        assert at_kill < BATCH, "the batch was sent before the kill: nothing was tested"
        celery_worker.start()

    # The restarted worker works through what is still queued; what the killed
    # workers held is not on the queue any more.
    celery_worker.wait_for(
        lambda: celery_worker.queued_tasks() == 0, what="the worker to empty the queue"
    )
    requeued = 0

    def everything_sent() -> bool:
        # What beat does every few minutes, with a stale window of a second.
        nonlocal requeued
        requeued += messages_requeue_stale(older_than=timedelta(seconds=1))
        return not Message.objects.exclude(status=Message.Status.SENT).exists()

    celery_worker.wait_for(everything_sent, timeout=40, what="every message to be sent")

    counts = celery_worker.deliveries()
    assert set(counts) == expected  # each one reached the provider, and nothing else did
    duplicates = sum(count - 1 for count in counts.values())
    assert celery_worker.kills == len(KILL_AFTER)
    assert duplicates <= celery_worker.kills
    sent = Message.objects.filter(status=Message.Status.SENT, sent_at__isnull=False)
    assert sent.count() == BATCH
    print(
        f"{BATCH} sent, {duplicates} sent twice, {celery_worker.kills} kills, {requeued} requeued"
    )
