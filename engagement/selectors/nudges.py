"""Who a nudge about a piece of work would reach: the joined parents of the
chosen pupils, less those nudged about it in the last 7 days and those who take
no engagement message on any channel they have. A parent of several chosen
pupils is one family and gets one message naming them all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from engagement.models import Nudge
from engagement.selectors.families import reaching_guardianships
from learning.models import Assignment
from notifications.models import Message
from notifications.policy import preference_allows, preferences_of
from schools.models import Pupil

# The template of a nudge's messages (its topic, for the parent's preferences, is
# a reminder).
NUDGE_TEMPLATE = "engagement_nudge"

# At most one nudge per family (parent) and piece of work in this time.
NUDGE_INTERVAL = dt.timedelta(days=7)


@dataclass
class FamilyToNudge:
    parent: User
    children: list[Pupil]
    # (channel, address) pairs the parent takes engagement messages on.
    channels: list[tuple[str, str]]


@dataclass
class NudgePlan:
    families: list[FamilyToNudge] = field(default_factory=list)
    # Pupils chosen that have no joined parent.
    without_parent: int = 0
    # Parents nudged about this work in the last 7 days.
    recently_nudged: int = 0
    # Parents who take no engagement message on any channel they have.
    not_messageable: int = 0

    @property
    def skipped(self) -> int:
        return self.recently_nudged + self.not_messageable


def nudge_plan(*, assignment: Assignment, pupils: QuerySet[Pupil], now=None) -> NudgePlan:
    """Who would get a nudge about ``assignment`` for ``pupils``: three queries,
    however many pupils are chosen."""
    now = now or timezone.now()
    guardianships = list(
        reaching_guardianships(at=now)
        .filter(pupil__in=pupils.values("pk"))
        .select_related("parent", "pupil")
        .order_by("parent_id", "pupil__first_name", "pupil_id")
    )
    chosen = list(pupils.values_list("pk", flat=True))
    plan = NudgePlan(without_parent=len(set(chosen) - {g.pupil_id for g in guardianships}))
    parent_ids = {g.parent_id for g in guardianships}
    recent = (
        set(
            Nudge.objects.filter(
                assignment=assignment,
                parent_id__in=parent_ids,
                sent_at__gt=now - NUDGE_INTERVAL,
            ).values_list("parent_id", flat=True)
        )
        if parent_ids
        else set()
    )
    preferences = preferences_of(parent_ids - recent)
    families: dict[int, FamilyToNudge] = {}
    for guardianship in guardianships:
        parent = guardianship.parent
        if parent.pk in families:
            families[parent.pk].children.append(guardianship.pupil)
            continue
        if parent.pk in recent:
            continue
        families[parent.pk] = FamilyToNudge(
            parent=parent,
            children=[guardianship.pupil],
            channels=[
                (channel, address)
                for channel, address in (
                    (Message.Channel.EMAIL, parent.email),
                    (Message.Channel.SMS, parent.mobile),
                )
                if address
                and preference_allows(
                    preference=preferences.get(parent.pk),
                    kind=Message.Kind.ENGAGEMENT,
                    channel=channel,
                    template=NUDGE_TEMPLATE,
                )
            ],
        )
    plan.recently_nudged = len(recent)
    plan.families = [family for family in families.values() if family.channels]
    plan.not_messageable = len(families) - len(plan.families)
    return plan
