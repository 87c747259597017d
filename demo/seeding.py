"""Demo data: realistic schools, classes, pupils and parents, generated from a seed.

This is DEBUG-only data for trying the portal and for measuring it at scale.
Everything is made in code from ``random.Random`` seeded with the seed, so the
same seed always gives the same schools, classes, pupils and contacts.

Ownership: demo schools have URNs in a reserved range, ``990000``-``999999``
(real URNs are allocated from 100000 upwards and are nowhere near it). A run
removes every school in that range, with its classes, pupils, staff memberships
and the parents linked only to those pupils, then builds the requested schools
again, all in one transaction. Schools outside the range are never touched.

The demo accounts (a school admin, a teacher, a parent and a platform staff
user) share one published password, ``DEMO_PASSWORD``, and the staff among
them get a confirmed authenticator device and backup codes derived from their
email address, so that a newcomer can sign in. That is why the command refuses
to run in production.

So that consent given in the demo names a privacy notice, a run publishes the
demo's own notice when none is published yet, and records the demo parent's
agreement to it once. A parent a newcomer registered in an earlier run goes with
the demo schools, their consent records erased and their messages removed.

Home learning (``demo.learning``): a run keeps a few library topics as written
there and sets one of them, started a few days ago, for the demo teacher's class
of the demo parent's first child.

Engagement (``demo.events``), with ``events_per_pupil``: about 70% of families
joined during the past year, each class had the library topics set across it, and
the families who joined did things on the portal: events, and completions of the
activities they did. Without it nobody but the demo parent has joined.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Membership, User
from consent.models import ConsentRecord
from consent.services import consent_records_erase
from demo.accounts import (
    DEMO_ACCOUNTS,
    DEMO_CHILDREN,
    DEMO_EMAILS,
    DEMO_PARENT,
    DEMO_TEACHER_YEAR_GROUPS,
    demo_account_save,
    demo_notice_publish,
    demo_parent_consent,
)
from demo.events import demo_events_seed, families_join, parent_joined_at
from demo.learning import DEMO_ASSIGNMENT_TOPIC, demo_assignment_create, demo_topics_save
from demo.planning import (
    DRAMA_MOBILE_FIRST,
    PARENT_EMAIL_DOMAINS,
    ContactMaker,
    SchoolPlan,
    demo_urn,
    school_names,
    school_plan,
)
from engagement.models import Event
from invitations.models import Invitation
from invitations.tokens import invitation_reference
from learning.models import Completion
from notifications.models import Message
from schools.models import Guardianship, Pupil, School, SchoolClass, current_academic_year

DEMO_URN_REGEX = r"^99[0-9]{4}$"

MAX_SCHOOLS = 200
MIN_PUPILS_PER_SCHOOL = 3
MAX_PUPILS_PER_SCHOOL = 5000
MAX_EVENTS_PER_PUPIL = 1000

BATCH_SIZE = 1000


@dataclass(frozen=True)
class DemoSchoolSummary:
    name: str
    urn: str
    classes: int
    pupils: int
    pupil_premium: int


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    schools: list[DemoSchoolSummary]
    parents: int
    guardianships: int
    removed_schools: int
    topics: int = 0
    # "“<topic>” for <class> at <school>": the demo class's work, started already.
    assignment: str = ""
    events: int = 0
    # Parents (other than the demo parent) who joined, with events seeded.
    joined_parents: int = 0

    @property
    def pupils(self) -> int:
        return sum(school.pupils for school in self.schools)


# --- Writing ---------------------------------------------------------------------


def _demo_schools():
    return School.objects.filter(urn__regex=DEMO_URN_REGEX)


def _remove_contents(schools) -> None:
    """Remove everything held for these schools, and the parents of their pupils.

    A parent goes only if every child they are linked to is at one of these
    schools and they are neither staff nor a demo account; a parent who joined
    has their consent records erased first. Their messages in the outbox go too,
    and so do those carrying the schools' invitation links. Then every row that
    belongs to one of the schools goes: pupils, classes, staff memberships,
    roster imports, and whatever later apps attach to a school.
    """
    at_these_schools = Guardianship.objects.filter(parent=OuterRef("pk"), pupil__school__in=schools)
    elsewhere = Guardianship.objects.filter(parent=OuterRef("pk")).exclude(
        pupil__school__in=schools
    )
    parents = (
        User.objects.filter(Exists(at_these_schools))
        .exclude(Exists(elsewhere))
        .exclude(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .exclude(Q(is_staff=True) | Q(is_superuser=True) | Q(email__in=DEMO_EMAILS))
    )
    # Events and completions first: deleting their parents would otherwise update
    # each of them (the actor is set to null) before it goes.
    Event.objects.filter(school__in=schools).delete()
    Completion.objects.filter(pupil__school__in=schools).delete()
    # A parent who joined during the demo has consent records, which only erasure removes.
    for parent in parents.filter(Exists(ConsentRecord.objects.filter(user=OuterRef("pk")))):
        consent_records_erase(user=parent)
    # The outbox keeps no message to them and no link of the schools' invitations,
    # which would only lead to dead pages once the invitations are gone.
    invitations = Invitation.objects.filter(school__in=schools).values_list("pk", flat=True)
    Message.objects.filter(
        Q(recipient__in=parents) | Q(reference__in=[invitation_reference(pk) for pk in invitations])
    ).delete()
    parents.delete()
    Pupil.objects.filter(school__in=schools).delete()
    for relation in School._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            owned = {f"{relation.field.name}__in": schools}
            relation.related_model._default_manager.filter(**owned).delete()


@transaction.atomic
def demo_data_clear() -> int:
    """Remove every demo school and everything in it; return how many schools went."""
    schools = _demo_schools()
    count = schools.count()
    _remove_contents(schools)
    schools.delete()
    return count


def _taken_contacts() -> tuple[set[str], set[str]]:
    """Emails and drama mobiles already used by accounts the seed does not own."""
    domains = Q()
    for domain in PARENT_EMAIL_DOMAINS:
        domains |= Q(email__endswith=f"@{domain}")
    emails = set(User.objects.filter(domains).values_list("email", flat=True))
    mobiles = set(
        User.objects.filter(mobile__startswith=f"+{DRAMA_MOBILE_FIRST // 1000}").values_list(
            "mobile", flat=True
        )
    )
    return {email.lower() for email in emails}, mobiles


def _upsert_schools(plans: list[SchoolPlan]) -> dict[str, School]:
    existing = {school.urn: school for school in _demo_schools()}
    wanted = {plan.urn for plan in plans}
    stale = [school.pk for urn, school in existing.items() if urn not in wanted]
    School.objects.filter(pk__in=stale).delete()
    schools = {}
    new = []
    for number, plan in enumerate(plans):
        school = existing.get(plan.urn)
        if school is None:
            school = School(urn=plan.urn, name=plan.name)
            new.append(school)
        school.name = plan.name
        school.kind = School.Kind.SCHOOL
        school.status = School.Status.ACTIVE
        # What parents see on their Help page; the phone is in Ofcom's drama range.
        school.contact_email = f"office.{plan.urn}@demo.example.org"
        school.contact_phone = f"020 7946 0{number % 1000:03d}"
        schools[plan.urn] = school
    School.objects.bulk_update(
        [s for s in schools.values() if s.pk is not None],
        ["name", "kind", "status", "contact_email", "contact_phone"],
    )
    School.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return schools


def _demo_teacher_classes(plans: list[SchoolPlan]) -> list[SchoolClass]:
    """The first class of each of the demo teacher's year groups at the first school:
    the first is the class of the demo parent's first child (placed first there)."""
    return [
        next(c for c in plans[0].classes if c.year_group == year)
        for year in DEMO_TEACHER_YEAR_GROUPS
    ]


def _demo_accounts_save(schools: list[School], plans: list[SchoolPlan]) -> dict[str, User]:
    users = {account.key: demo_account_save(account) for account in DEMO_ACCOUNTS}
    first = schools[0]
    Membership.objects.bulk_create(
        [
            Membership(user=users["admin"], school=first, role=Membership.Role.ADMIN),
            Membership(user=users["teacher"], school=first, role=Membership.Role.TEACHER),
        ]
    )
    taught = _demo_teacher_classes(plans)
    SchoolClass.teachers.through.objects.bulk_create(
        SchoolClass.teachers.through(schoolclass_id=c.pk, user_id=users["teacher"].pk)
        for c in taught
    )
    return users


def _validate(*, schools: int, pupils_per_school: int, events_per_pupil: int) -> None:
    if not 0 <= events_per_pupil <= MAX_EVENTS_PER_PUPIL:
        raise ValueError(f"--events-per-pupil must be between 0 and {MAX_EVENTS_PER_PUPIL}.")
    if not 1 <= schools <= MAX_SCHOOLS:
        raise ValueError(f"--schools must be between 1 and {MAX_SCHOOLS}.")
    if not MIN_PUPILS_PER_SCHOOL <= pupils_per_school <= MAX_PUPILS_PER_SCHOOL:
        raise ValueError(
            f"--pupils-per-school must be between {MIN_PUPILS_PER_SCHOOL} "
            f"and {MAX_PUPILS_PER_SCHOOL}."
        )


@transaction.atomic
def demo_data_seed(
    *, schools: int, pupils_per_school: int, seed: int, events_per_pupil: int = 0
) -> DemoSummary:
    """Replace the demo schools with ``schools`` new ones built from ``seed``; with
    ``events_per_pupil``, a year of engagement too (``demo.events``).

    Raises ValueError for sizes out of range.
    """
    _validate(
        schools=schools, pupils_per_school=pupils_per_school, events_per_pupil=events_per_pupil
    )
    existing = _demo_schools()
    removed = existing.exclude(
        urn__in=[demo_urn(seed=seed, index=n) for n in range(schools)]
    ).count()
    _remove_contents(existing)

    rng = random.Random(f"demo-run:{seed}")
    contacts = ContactMaker(rng, *_taken_contacts())
    demo_parent = User(email=DEMO_PARENT.email)  # stands in until the account is saved
    co_parent = contacts.make("Yusuf", DEMO_PARENT.last_name)
    demo_contacts = [(demo_parent, "Mother", True), (co_parent, "Father", True)]
    if schools == 1:
        children_at = [list(DEMO_CHILDREN)]
    else:
        children_at = [list(DEMO_CHILDREN[:2]), [DEMO_CHILDREN[2]]]
    academic_year = current_academic_year()
    plans = [
        school_plan(
            seed=seed,
            index=index,
            name=name,
            pupils=pupils_per_school,
            demo_children=children_at[index] if index < len(children_at) else [],
            demo_contacts=demo_contacts,
            contacts=contacts,
            academic_year=academic_year,
        )
        for index, name in enumerate(school_names(random.Random(f"demo-names:{seed}"), schools))
    ]

    now = timezone.now()
    joins = None
    if events_per_pupil:
        joins = families_join(plans=plans, seed=seed, now=now, skip=[demo_parent, co_parent])

    by_urn = _upsert_schools(plans)
    school_list = [by_urn[plan.urn] for plan in plans]
    for plan, school in zip(plans, school_list, strict=True):
        for school_class in plan.classes:
            school_class.school = school
        for pupil in plan.pupils:
            pupil.school = school
    SchoolClass.objects.bulk_create(
        [c for plan in plans for c in plan.classes], batch_size=BATCH_SIZE
    )
    User.objects.bulk_create(contacts.users, batch_size=BATCH_SIZE)
    Pupil.objects.bulk_create([p for plan in plans for p in plan.pupils], batch_size=BATCH_SIZE)
    accounts = _demo_accounts_save(school_list, plans)
    notice = demo_notice_publish(actor=accounts["staff"])
    demo_parent_consent(parent=accounts["parent"], notice=notice)

    guardianships = []
    for plan in plans:
        for pupil, parent, relationship, responsibility, confirmed in plan.links:
            if parent is demo_parent:
                parent = accounts["parent"]
            guardianships.append(
                Guardianship(
                    parent=parent,
                    pupil=pupil,
                    relationship=relationship,
                    parental_responsibility=responsibility,
                    confirmed_at=now if confirmed else parent_joined_at(joins, parent),
                )
            )
    Guardianship.objects.bulk_create(guardianships, batch_size=BATCH_SIZE)

    # Home learning: the library topics, and one set for the demo parent's child's class.
    topics = demo_topics_save(author=accounts["staff"])
    demo_class = _demo_teacher_classes(plans)[0]
    assignment = demo_assignment_create(
        topic=topics[DEMO_ASSIGNMENT_TOPIC.title],
        school_class=demo_class,
        teacher=accounts["teacher"],
    )
    events = 0
    if joins is not None:
        events = demo_events_seed(
            plans=plans,
            schools=school_list,
            join_plan=joins,
            topics=list(topics.values()),
            per_pupil=events_per_pupil,
            seed=seed,
        )

    return DemoSummary(
        seed=seed,
        schools=[
            DemoSchoolSummary(
                name=plan.name,
                urn=plan.urn,
                classes=len(plan.classes),
                pupils=len(plan.pupils),
                pupil_premium=sum(p.pupil_premium for p in plan.pupils),
            )
            for plan in plans
        ],
        parents=len(contacts.users) + 1,
        guardianships=len(guardianships),
        removed_schools=removed,
        topics=len(topics),
        assignment=f"“{assignment.topic.title}” for {demo_class.name} at {school_list[0].name}",
        events=events,
        joined_parents=len(joins.joined_at) if joins else 0,
    )
