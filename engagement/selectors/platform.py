"""The platform's engagement totals across schools, for platform staff: numbers
only, never a school's, pupil's or parent's name. A fixed number of queries,
however many schools, pupils or events.

- schools: active schools (not offboarded);
- pupils: pupils on roll (not removed by their school, not anonymised);
- joined parents: distinct parents joined to a pupil on roll (guardianship
  confirmed, not ended, account open and not restricted);
- weekly active families: distinct joined parents with an event in the last 7 days;
- completions: all completions, and those of the last 7 days;
- average reach: the mean over schools with pupils on roll of the share of their
  pupils with a joined parent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from engagement.models import Event
from engagement.selectors.families import reached_expression, reaching_guardianships
from learning.models import Completion
from schools.models import Pupil, School


@dataclass(frozen=True)
class PlatformTotals:
    schools: int
    pupils: int
    joined_parents: int
    weekly_active_families: int
    completions: int
    completions_7_days: int
    average_reach_percent: float | None


def platform_totals() -> PlatformTotals:
    now = timezone.now()
    week_ago = now - dt.timedelta(days=7)
    on_roll = Pupil.objects.filter(removed_by_school_at__isnull=True, anonymised_at__isnull=True)
    joined = reaching_guardianships(at=now).filter(pupil__in=on_roll.values("pk"))
    per_school = list(
        on_roll.annotate(is_reached=reached_expression(at=now))
        .order_by()
        .values("school_id")
        .annotate(pupils=Count("pk"), reached=Count("pk", filter=Q(is_reached=True)))
        .values_list("pupils", "reached")
    )
    shares = [reached / pupils for pupils, reached in per_school if pupils]
    completions = Completion.objects.aggregate(
        total=Count("pk"), last_7_days=Count("pk", filter=Q(completed_at__gte=week_ago))
    )
    return PlatformTotals(
        schools=School.objects.filter(status=School.Status.ACTIVE).count(),
        pupils=sum(pupils for pupils, _ in per_school),
        joined_parents=joined.values("parent_id").distinct().count(),
        weekly_active_families=Event.objects.filter(
            at__gte=week_ago, actor_id__in=joined.values("parent_id")
        )
        .values("actor_id")
        .distinct()
        .count(),
        completions=completions["total"],
        completions_7_days=completions["last_7_days"],
        average_reach_percent=round(100 * sum(shares) / len(shares), 1) if shares else None,
    )
