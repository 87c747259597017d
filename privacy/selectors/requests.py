"""The queue of privacy requests, most urgent first.

Open requests come first, by due date (so the overdue, then the nearly due, lead);
closed ones follow, the most recently closed first. The same order serves a
school admin's queue and the platform staff's list in the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from privacy.models import NEARLY_DUE_DAYS, OPEN_STATUSES, PrivacyRequest

STATES = ("open", "closed", "all")


def urgent_first_ordering() -> list:
    """Open requests first, by due date; then closed ones, the latest closed first."""
    is_open = Q(status__in=OPEN_STATUSES)
    return [
        Case(When(is_open, then=Value(0)), default=Value(1)).asc(),
        Case(When(is_open, then=F("due_at"))).asc(nulls_last=True),
        F("closed_at").desc(nulls_last=True),
        F("pk").asc(),
    ]


def privacy_requests_urgent_first(requests: QuerySet[PrivacyRequest]) -> QuerySet[PrivacyRequest]:
    return requests.order_by(*urgent_first_ordering())


def privacy_requests_for_school(*, school, state: str = "open") -> QuerySet[PrivacyRequest]:
    """The school's requests in ``state`` ("open", "closed" or "all"), with the
    people they are about, most urgent first."""
    requests = PrivacyRequest.objects.filter(school=school).select_related(
        "subject_user", "subject_pupil"
    )
    if state == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif state == "closed":
        requests = requests.exclude(status__in=OPEN_STATUSES)
    return privacy_requests_urgent_first(requests)


@dataclass(frozen=True)
class QueueCounts:
    open: int
    closed: int
    overdue: int
    nearly_due: int


def privacy_request_queue_counts(*, school) -> QueueCounts:
    """How many of the school's requests are open, closed, overdue and nearly due:
    one query."""
    now = timezone.now()
    is_open = Q(status__in=OPEN_STATUSES)
    counts = PrivacyRequest.objects.filter(school=school).aggregate(
        open=Count("pk", filter=is_open),
        closed=Count("pk", filter=~is_open),
        overdue=Count("pk", filter=is_open & Q(due_at__lt=now)),
        nearly_due=Count(
            "pk",
            filter=is_open & Q(due_at__gte=now, due_at__lte=now + timedelta(days=NEARLY_DUE_DAYS)),
        ),
    )
    return QueueCounts(**counts)
