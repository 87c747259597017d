"""Awards: earned by rules written here, granted once per pupil and kind, told to
the parents.

Each rule is a function of a pupil's ``Progress`` registered with ``@award_rule``
in ``AWARD_RULES``; a new kind of award is a new ``Award.Kind`` and a new rule.
``awards_evaluate`` reads the progress in a couple of SQL queries (never one per
completion), grants every award whose rule now holds and that the pupil does not
have yet, and queues an engagement message about each to every parent with a
confirmed guardianship (the outbox applies their channel preferences and quiet
hours). Evaluating again, or twice at once, grants nothing twice: the database
allows one award of a kind per pupil and a second insert is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone

from accounts.names import ascii_only
from learning.models import Activity, Award, Completion, Topic
from notifications.models import Message
from notifications.services import OutgoingMessage, messages_queue
from schools.models import Guardianship, Pupil

AWARD_TEMPLATE = "award"


@dataclass(frozen=True)
class Progress:
    """What a pupil has done, as the rules need it.

    ``weeks_in_a_row``: the longest run of consecutive ISO weeks (Monday to Sunday,
    school local time) with at least one completion.
    """

    activities_done: int
    topics_completed: int
    weeks_in_a_row: int


@dataclass(frozen=True)
class AwardRule:
    kind: str
    # Completes "<first name> earned the <award> award for ..." in the message.
    reason: str
    earned: Callable[[Progress], bool]

    @property
    def title(self) -> str:
        return Award.Kind(self.kind).label


AWARD_RULES: dict[str, AwardRule] = {}


def award_rule(kind: str, *, reason: str):
    """Register the decorated ``Progress -> bool`` function as the rule for ``kind``."""

    def register(earned: Callable[[Progress], bool]) -> Callable[[Progress], bool]:
        if kind in AWARD_RULES:
            raise ValueError(f"Two rules for the award {kind!r}.")
        AWARD_RULES[kind] = AwardRule(kind=kind, reason=reason, earned=earned)
        return earned

    return register


@award_rule(Award.Kind.FIRST_ACTIVITY, reason="doing their first activity")
def _first_activity(progress: Progress) -> bool:
    return progress.activities_done >= 1


@award_rule(Award.Kind.FIVE_ACTIVITIES, reason="doing five activities")
def _five_activities(progress: Progress) -> bool:
    return progress.activities_done >= 5


@award_rule(Award.Kind.TOPIC_COMPLETED, reason="doing every activity in a topic")
def _topic_completed(progress: Progress) -> bool:
    return progress.topics_completed >= 1


@award_rule(Award.Kind.THREE_WEEKS, reason="doing activities three weeks in a row")
def _three_weeks(progress: Progress) -> bool:
    return progress.weeks_in_a_row >= 3


def _count_per(queryset, group_by: str) -> Subquery:
    """The number of rows of ``queryset`` (narrowed by an OuterRef to one group)."""
    return Subquery(
        queryset.order_by().values(group_by).annotate(count=Count("pk")).values("count")
    )


def _longest_run(mondays: list[date]) -> int:
    longest = run = 0
    previous = None
    for monday in sorted(mondays):
        run = run + 1 if previous is not None and monday - previous == timedelta(weeks=1) else 1
        longest = max(longest, run)
        previous = monday
    return longest


def pupil_progress(*, pupil: Pupil) -> Progress:
    """The pupil's progress in two queries, whatever the number of completions."""
    zone = timezone.get_default_timezone()
    completions = Completion.objects.filter(pupil=pupil).order_by()
    done_per_week = dict(
        completions.annotate(week=TruncWeek("completed_at", tzinfo=zone))
        .values("week")
        .annotate(done=Count("pk"))
        .values_list("week", "done")
    )
    topics_completed = (
        Topic.objects.filter(pk__in=completions.values("activity__topic"))
        .annotate(
            total=_count_per(Activity.objects.filter(topic=OuterRef("pk")), "topic"),
            done=_count_per(
                Completion.objects.filter(pupil=pupil, activity__topic=OuterRef("pk")),
                "activity__topic",
            ),
        )
        .filter(done=F("total"))
        .count()
    )
    return Progress(
        activities_done=sum(done_per_week.values()),
        topics_completed=topics_completed,
        weeks_in_a_row=_longest_run(
            [timezone.localtime(start, zone).date() for start in done_per_week]
        ),
    )


def _grant(*, pupil: Pupil, kind: str) -> Award | None:
    """Insert the award, or None when the pupil already has it (granted meanwhile
    by another evaluation: the unique constraint refuses the second row)."""
    try:
        with transaction.atomic():
            return Award.objects.create(pupil=pupil, kind=kind)
    except IntegrityError:
        return None


def _child_space_link(pupil: Pupil) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('learning:child_space', args=[pupil.pk])}"


def _award_messages(awards: list[Award], pupil: Pupil) -> list[OutgoingMessage]:
    guardianships = Guardianship.objects.filter(
        pupil=pupil, confirmed_at__isnull=False, ended_at__isnull=True
    ).select_related("parent")
    parents = [guardianship.parent for guardianship in guardianships]
    link = _child_space_link(pupil)
    school_name = pupil.school.name_for_parents
    outgoing = []
    for award in awards:
        rule = AWARD_RULES[award.kind]
        context = {
            "school_name": school_name,
            "first_name": pupil.first_name,
            "award": rule.title,
            "reason": rule.reason,
            "link": link,
        }
        plain_school = ascii_only(school_name)[:30]
        plain_name = ascii_only(pupil.first_name)
        shorter = [
            {**context, "short": True},
            # The child's name without the letters that need UCS-2 ("Zoe"), if short.
            *(
                [{**context, "short": True, "school_name": plain_school, "first_name": plain_name}]
                if plain_name and len(plain_name) <= 20
                else []
            ),
            {"link": link, "short": True, "school_name": plain_school},
        ]
        for parent in parents:
            addresses = {Message.Channel.EMAIL: parent.email, Message.Channel.SMS: parent.mobile}
            for channel, address in addresses.items():
                if not address:
                    continue
                outgoing.append(
                    OutgoingMessage(
                        recipient=parent,
                        channel=channel,
                        template=AWARD_TEMPLATE,
                        context=context,
                        shorter_contexts=shorter if channel == Message.Channel.SMS else (),
                        kind=Message.Kind.ENGAGEMENT,
                        idempotency_key=f"award:{award.pk}:parent:{parent.pk}:{channel}",
                        reference=f"award:{award.pk}",
                    )
                )
    return outgoing


@transaction.atomic
def awards_evaluate(*, pupil: Pupil) -> list[Award]:
    """Grant the pupil every award whose rule now holds and that they do not have
    yet, and tell their parents; returns the awards granted by this call.

    The messages are written to the outbox in this transaction and each new award
    is marked ``notified_at``. An anonymised pupil earns nothing.
    """
    if pupil.anonymised_at is not None:
        return []
    held = set(Award.objects.filter(pupil=pupil).values_list("kind", flat=True))
    rules = [rule for kind, rule in AWARD_RULES.items() if kind not in held]
    if not rules:
        return []
    progress = pupil_progress(pupil=pupil)
    granted = []
    for rule in rules:
        if rule.earned(progress) and (award := _grant(pupil=pupil, kind=rule.kind)):
            granted.append(award)
    if not granted:
        return []
    messages_queue(messages=_award_messages(granted, pupil))
    notified_at = timezone.now()
    Award.objects.filter(pk__in=[award.pk for award in granted]).update(notified_at=notified_at)
    for award in granted:
        award.notified_at = notified_at
    return granted
