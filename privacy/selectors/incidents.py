"""Who an incident affects, worked out from its scope by queries over the data.

Nobody types in who is affected: each kind of scope is a query, and everything
else (counts, lists, the notices' recipients) is derived from it in SQL.

- schools: every parent or carer linked to a pupil of the chosen schools, those
  pupils, and the schools' staff;
- classes: every parent or carer linked to a pupil of the chosen classes, those
  pupils, and the classes' teachers;
- messages: every account sent a message in the window, optionally of one
  template or on one channel (misdirected emails, say);
- sign-ins: every account that signed in during the window (a security event).

For the last two, the affected parents' children and schools follow from their
links, and staff from their roles. Only what the portal held when it became
aware (``found_at``) counts: a family that joined afterwards was not in the
breach. The queries themselves belong to the apps whose data they read
(``schools.selectors.reach_of_*``, ``notifications.selectors``,
``audit.selectors``); this module chooses among them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from audit.selectors import accounts_signed_in_between
from notifications.policy import channel_available
from notifications.selectors import messages_with_reference, recipients_sent_between
from privacy.models import (
    ICO_REPORT_WITHIN,
    RETROSPECTIVE_WITHIN,
    SCHOOLS_TOLD_WITHIN,
    Incident,
)
from schools.selectors import (
    Reach,
    reach_of_accounts,
    reach_of_classes,
    reach_of_nobody,
    reach_of_schools,
)

SCHOOLS_PER_PAGE = 25

# The outbox's channels (notifications' Message.Channel values).
EMAIL = "email"
SMS = "sms"


def notice_reference(incident: Incident, audience: str) -> str:
    """The outbox reference of an incident's notices to ``"schools"`` or ``"families"``."""
    return f"incident:{incident.pk}:{audience}"


def incident_affected(*, incident: Incident) -> Reach:
    """Who ``incident`` affects, from its scope; nobody until the scope is set."""
    kind, found_at = incident.scope_kind, incident.found_at
    if kind == Incident.ScopeKind.SCHOOLS:
        return reach_of_schools(school_ids=incident.scope_schools.values("pk"), as_of=found_at)
    if kind == Incident.ScopeKind.CLASSES:
        return reach_of_classes(class_ids=incident.scope_classes.values("pk"), as_of=found_at)
    if incident.scope_from is None or incident.scope_until is None:
        return reach_of_nobody()
    if kind == Incident.ScopeKind.MESSAGES:
        account_ids = recipients_sent_between(
            start=incident.scope_from,
            end=incident.scope_until,
            template=incident.scope_template,
            channel=incident.scope_channel,
        )
    elif kind == Incident.ScopeKind.SIGN_INS:
        account_ids = accounts_signed_in_between(
            start=incident.scope_from, end=incident.scope_until
        )
    else:
        return reach_of_nobody()
    return reach_of_accounts(account_ids=account_ids, as_of=found_at)


@dataclass(frozen=True)
class AffectedCounts:
    schools: int
    parents: int
    pupils: int
    staff: int


def incident_affected_counts(*, incident: Incident) -> AffectedCounts:
    """How many schools and people of each kind are affected: four COUNT queries."""
    affected = incident_affected(incident=incident)
    return AffectedCounts(
        schools=affected.schools.count(),
        parents=affected.parents.count(),
        pupils=affected.pupils.count(),
        staff=affected.staff.count(),
    )


def incident_affected_schools_page(*, incident: Incident, number) -> Page:
    """One page of the affected schools, by name: their count, then the page."""
    schools = incident_affected(incident=incident).schools.order_by("name", "pk")
    return Paginator(schools, SCHOOLS_PER_PAGE).get_page(number)


def incident_school_notice_recipients(*, incident: Incident) -> QuerySet:
    """The admins of each affected school, one row per admin and school, grouped by
    admin: one notice each, naming all their schools affected."""
    return (
        incident_affected(incident=incident)
        .admins()
        .select_related("user", "school")
        .order_by("user_id", "school_id")
    )


@dataclass(frozen=True)
class SchoolNoticeCounts:
    schools: int
    admins: int
    already_sent: int
    schools_without_admin: int

    @property
    def to_send(self) -> int:
        return self.admins - self.already_sent


def incident_school_notice_counts(*, incident: Incident) -> SchoolNoticeCounts:
    """What sending the school notices would do, in three queries: one notice per
    admin of an affected school, less those already sent."""
    affected = incident_affected(incident=incident)
    admins = affected.admins()
    sent = messages_with_reference(reference=notice_reference(incident, "schools"))
    totals = (
        get_user_model()
        .objects.filter(Exists(admins.filter(user=OuterRef("pk"))))
        .annotate(sent=Exists(sent.filter(recipient=OuterRef("pk"))))
        .aggregate(admins=Count("pk"), already_sent=Count("pk", filter=Q(sent=True)))
    )
    return SchoolNoticeCounts(
        schools=affected.schools.count(),
        admins=totals["admins"],
        already_sent=totals["already_sent"],
        schools_without_admin=affected.schools.exclude(
            Exists(admins.filter(school=OuterRef("pk")))
        ).count(),
    )


@dataclass(frozen=True)
class FamilyNoticeCounts:
    parents: int
    emails: int
    texts: int
    already_sent: int
    unreachable: int
    closed: int
    restricted: int

    @property
    def to_send(self) -> int:
        return self.emails + self.texts


def incident_family_notice_counts(*, incident: Incident) -> FamilyNoticeCounts:
    """What sending the family notices would do, in one query: the emails and texts
    still to go (each parent on every channel they have an address for), and how
    many affected parents have closed or restricted accounts, or no address (a
    mobile is none while SMS is disabled)."""
    sms = channel_available(SMS)
    reference = notice_reference(incident, "families")
    emailed = messages_with_reference(reference=reference, channel=EMAIL)
    texted = messages_with_reference(reference=reference, channel=SMS)
    totals = (
        incident_affected(incident=incident)
        .parents.annotate(
            emailed=Exists(emailed.filter(recipient=OuterRef("pk"))),
            texted=Exists(texted.filter(recipient=OuterRef("pk"))),
        )
        .aggregate(
            parents=Count("pk"),
            emails=Count("pk", filter=Q(email__isnull=False, emailed=False)),
            texts=Count("pk", filter=~Q(mobile="") & Q(texted=False)),
            already_sent=Count("pk", filter=Q(emailed=True) | Q(texted=True)),
            unreachable=Count(
                "pk", filter=Q(email__isnull=True, mobile="") if sms else Q(email__isnull=True)
            ),
            closed=Count("pk", filter=Q(closed_at__isnull=False)),
            restricted=Count("pk", filter=Q(processing_restricted=True)),
        )
    )
    if not sms:
        totals["texts"] = 0
    return FamilyNoticeCounts(**totals)


def incidents_for_register() -> QuerySet[Incident]:
    """The register: open incidents first, the most recently found first."""
    return Incident.objects.select_related("recorded_by").order_by(
        F("closed_at").desc(nulls_first=True), "-found_at", "-pk"
    )


def incidents_overdue(*, incidents: QuerySet[Incident], now) -> QuerySet[Incident]:
    """Of ``incidents``, the open ones with a step past its deadline."""
    return incidents.filter(
        Q(closed_at__isnull=True)
        & (
            Q(
                ico_reported_at__isnull=True,
                ico_not_reported_at__isnull=True,
                found_at__lte=now - ICO_REPORT_WITHIN,
            )
            | Q(schools_notified_at__isnull=True, found_at__lte=now - SCHOOLS_TOLD_WITHIN)
            | Q(retrospective_at__isnull=True, found_at__lte=now - RETROSPECTIVE_WITHIN)
        )
    )
