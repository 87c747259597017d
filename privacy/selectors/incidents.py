"""Who an incident affects, worked out from its scope by queries over the data.

Nobody types in who is affected: each kind of scope is a query, and everything
else (counts, lists, the notices' recipients) is derived from it in SQL.

- schools: every parent or carer linked to a pupil of the chosen schools, those
  pupils, and the schools' staff;
- classes: every parent or carer linked to a pupil of the chosen classes, those
  pupils, and the classes' teachers;
- messages: every account sent a message (``notifications.Message``) in the
  window, optionally of one template or channel (misdirected emails, say);
- sign-ins: every account that signed in during the window (a security event).

For the last two, the affected parents' children and schools follow from their
links, and staff from their memberships. Only data the portal held when it
became aware (``found_at``) counts: a family that joined afterwards was not in
the breach. Children already anonymised have no data left to count.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from accounts.models import Membership, User
from audit.models import SecurityEvent
from notifications.models import Message
from privacy.models import Incident
from schools.models import Guardianship, Pupil, School, SchoolClass

SCHOOLS_PER_PAGE = 25

# Messages that left the outbox: sent, or delivered, or bounced after sending.
SENT_STATUSES = (Message.Status.SENT, Message.Status.DELIVERED, Message.Status.BOUNCED)


def notice_reference(incident: Incident, audience: str) -> str:
    """The outbox reference of an incident's notices to ``"schools"`` or ``"families"``."""
    return f"incident:{incident.pk}:{audience}"


@dataclass(frozen=True)
class Affected:
    """The people and schools an incident affects, as lazy querysets."""

    schools: QuerySet[School]
    # The links between parents and pupils through which parents and carers are affected.
    links: QuerySet[Guardianship]
    # The staff roles through which staff are affected.
    memberships: QuerySet[Membership]
    pupils: QuerySet[Pupil]

    @property
    def parents(self) -> QuerySet[User]:
        return User.objects.filter(Exists(self.links.filter(parent=OuterRef("pk"))))

    @property
    def staff(self) -> QuerySet[User]:
        return User.objects.filter(Exists(self.memberships.filter(user=OuterRef("pk"))))


def _nobody() -> Affected:
    return Affected(
        schools=School.objects.none(),
        links=Guardianship.objects.none(),
        memberships=Membership.objects.none(),
        pupils=Pupil.objects.none(),
    )


def _accounts_in_window(incident: Incident) -> QuerySet:
    """The ids of the accounts the window scope reaches, as a subquery."""
    start, end = incident.scope_from, incident.scope_until
    if incident.scope_kind == Incident.ScopeKind.MESSAGES:
        messages = Message.objects.filter(
            recipient__isnull=False,
            status__in=SENT_STATUSES,
            created_at__lt=end,  # served by the (status, created_at) index
            sent_at__gte=start,
            sent_at__lt=end,
        )
        if incident.scope_template:
            messages = messages.filter(template=incident.scope_template)
        if incident.scope_channel:
            messages = messages.filter(channel=incident.scope_channel)
        return messages.values("recipient_id")
    return SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.SIGN_IN, user__isnull=False, at__gte=start, at__lt=end
    ).values("user_id")


def incident_affected(*, incident: Incident) -> Affected:
    """Who ``incident`` affects, from its scope; nobody until the scope is set."""
    kind, found_at = incident.scope_kind, incident.found_at
    if kind == Incident.ScopeKind.SCHOOLS:
        school_ids = incident.scope_schools.values("pk")
        links = Guardianship.objects.filter(pupil__school__in=school_ids)
        memberships = Membership.objects.filter(school__in=school_ids)
        pupils = Pupil.objects.filter(school__in=school_ids)
        schools = School.objects.filter(pk__in=school_ids)
    elif kind == Incident.ScopeKind.CLASSES:
        class_ids = incident.scope_classes.values("pk")
        teaching = SchoolClass.teachers.through.objects.filter(
            user_id=OuterRef("user_id"),
            schoolclass__in=class_ids,
            schoolclass__school_id=OuterRef("school_id"),
        )
        links = Guardianship.objects.filter(pupil__school_class__in=class_ids)
        memberships = Membership.objects.filter(Exists(teaching))
        pupils = Pupil.objects.filter(school_class__in=class_ids)
        schools = School.objects.filter(
            Exists(SchoolClass.objects.filter(school=OuterRef("pk"), pk__in=class_ids))
        )
    elif kind in (Incident.ScopeKind.MESSAGES, Incident.ScopeKind.SIGN_INS):
        if incident.scope_from is None or incident.scope_until is None:
            return _nobody()
        account_ids = _accounts_in_window(incident)
        links = Guardianship.objects.filter(parent__in=account_ids)
        memberships = Membership.objects.filter(user__in=account_ids)
        pupils = Pupil.objects.filter(
            Exists(links.filter(pupil=OuterRef("pk"), created_at__lte=found_at))
        )
        schools = School.objects.filter(
            Exists(links.filter(pupil__school=OuterRef("pk"), created_at__lte=found_at))
            | Exists(memberships.filter(school=OuterRef("pk"), created_at__lte=found_at))
        )
    else:
        return _nobody()
    return Affected(
        schools=schools,
        links=links.filter(created_at__lte=found_at, pupil__anonymised_at__isnull=True),
        memberships=memberships.filter(created_at__lte=found_at),
        pupils=pupils.filter(created_at__lte=found_at, anonymised_at__isnull=True),
    )


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
    """One page of the affected schools, by name."""
    schools = incident_affected(incident=incident).schools.order_by("name", "pk")
    return Paginator(schools, SCHOOLS_PER_PAGE).get_page(number)


def incident_counts_by_school(
    *, affected: Affected, school_ids: list[int]
) -> dict[int, dict[str, int]]:
    """For each of these schools, how many of its pupils, parents and staff are
    affected: three grouped queries, whatever the number of schools."""
    counts = {school_id: {"pupils": 0, "parents": 0, "staff": 0} for school_id in school_ids}
    grouped = (
        ("pupils", affected.pupils.filter(school__in=school_ids), "school_id", "pk"),
        (
            "parents",
            affected.links.filter(pupil__school__in=school_ids),
            "pupil__school_id",
            "parent_id",
        ),
        ("staff", affected.memberships.filter(school__in=school_ids), "school_id", "user_id"),
    )
    for kind, rows, school_field, person_field in grouped:
        for row in (
            rows.order_by().values(school_field).annotate(n=Count(person_field, distinct=True))
        ):
            counts[row[school_field]][kind] = row["n"]
    return counts


def _school_admins(schools: QuerySet[School]) -> QuerySet[Membership]:
    """The admin roles at these schools of accounts still open: a closed account no
    longer acts for its school."""
    return Membership.objects.filter(
        role=Membership.Role.ADMIN,
        school__in=schools.values("pk"),
        user__closed_at__isnull=True,
        user__is_active=True,
    )


def incident_school_notice_recipients(*, incident: Incident) -> QuerySet[Membership]:
    """The admins of each affected school, one row per admin and school, grouped by
    admin (one notice each, naming all their schools affected)."""
    schools = incident_affected(incident=incident).schools
    return _school_admins(schools).select_related("user", "school").order_by("user_id", "school_id")


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
    schools = incident_affected(incident=incident).schools
    admins = _school_admins(schools)
    sent = Message.objects.filter(
        reference=notice_reference(incident, "schools"), recipient=OuterRef("pk")
    )
    totals = (
        User.objects.filter(Exists(admins.filter(user=OuterRef("pk"))))
        .annotate(sent=Exists(sent))
        .aggregate(admins=Count("pk"), already_sent=Count("pk", filter=Q(sent=True)))
    )
    return SchoolNoticeCounts(
        schools=schools.count(),
        admins=totals["admins"],
        already_sent=totals["already_sent"],
        schools_without_admin=schools.exclude(Exists(admins.filter(school=OuterRef("pk")))).count(),
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
    still to go (each parent by email and by text, for each address they have),
    and how many affected parents are closed, restricted, or have no address."""
    parents = incident_affected(incident=incident).parents
    sent = Message.objects.filter(
        reference=notice_reference(incident, "families"), recipient=OuterRef("pk")
    )
    totals = parents.annotate(
        emailed=Exists(sent.filter(channel=Message.Channel.EMAIL)),
        texted=Exists(sent.filter(channel=Message.Channel.SMS)),
    ).aggregate(
        parents=Count("pk"),
        emails=Count("pk", filter=Q(email__isnull=False, emailed=False)),
        texts=Count("pk", filter=~Q(mobile="") & Q(texted=False)),
        already_sent=Count("pk", filter=Q(emailed=True) | Q(texted=True)),
        unreachable=Count("pk", filter=Q(email__isnull=True, mobile="")),
        closed=Count("pk", filter=Q(closed_at__isnull=False)),
        restricted=Count("pk", filter=Q(processing_restricted=True)),
    )
    return FamilyNoticeCounts(**totals)


def incidents_for_register() -> QuerySet[Incident]:
    """The register: open incidents first, the most recently found first."""
    return Incident.objects.select_related("recorded_by").order_by(
        F("closed_at").desc(nulls_first=True), "-found_at", "-pk"
    )
