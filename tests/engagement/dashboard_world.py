"""A class of families in every state the dashboards tell apart, built the way the
portal builds them (factories for the roster, Event rows for what families did)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from engagement.models import Event
from engagement.services import summary_record
from learning.models import Assignment, Completion
from schools.models import Pupil, School, SchoolClass
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    teacher_of,
)


def event(parent, pupil, *, days_ago: float = 0, kind=Event.Kind.SIGNED_IN, subject="") -> Event:
    """An event written directly, at a time in the past, with its day in the
    engagement summary as ``event_record`` would keep it."""
    recorded = Event.objects.create(
        actor=parent,
        school=pupil.school,
        pupil=pupil,
        kind=kind,
        subject=subject,
        at=timezone.now() - timedelta(days=days_ago),
    )
    summary_record(event=recorded)
    return recorded


def family(school_class: SchoolClass, first_name: str, *, parent_name: str = "", **pupil_fields):
    """A pupil on roll in the class and one joined parent; returns (pupil, parent)."""
    pupil = PupilFactory(
        school=school_class.school, school_class=school_class, first_name=first_name, **pupil_fields
    )
    parent = UserFactory(first_name=parent_name or f"Parent{first_name}", last_name="Family")
    GuardianshipFactory(pupil=pupil, parent=parent)
    return pupil, parent


@dataclass
class World:
    school: School
    robins: SchoolClass
    teacher: object
    assignment: Assignment
    active: Pupil  # a parent active 2 days ago
    lapsed: Pupil  # a parent active 20 days ago
    silent: Pupil  # a parent joined, never active
    unreached: Pupil  # no joined parent (one closed account with events)
    parents: dict


def build_world() -> World:
    school = SchoolFactory(name="Oakfield Primary", urn="123456")
    robins = SchoolClassFactory(school=school, name="Robins")
    teacher = teacher_of(robins, first_name="Tess", last_name="Teacher")
    topic = TopicFactory(title="Minibeasts")
    first = ActivityFactory(topic=topic, title="Look under a stone")
    ActivityFactory(topic=topic, title="Draw a snail")
    today = timezone.localdate()
    assignment = AssignmentFactory(
        topic=topic, school_class=robins, starts_on=today - timedelta(days=3)
    )
    active, active_parent = family(robins, "Amara", pupil_premium=True)
    lapsed, lapsed_parent = family(robins, "Ben")
    silent, silent_parent = family(robins, "Cara", pupil_premium=True)
    unreached = PupilFactory(school=school, school_class=robins, first_name="Dev")
    closed = UserFactory(first_name="Closed", last_name="Account", closed_at=timezone.now())
    GuardianshipFactory(pupil=unreached, parent=closed)
    event(
        active_parent,
        active,
        days_ago=2,
        kind=Event.Kind.ASSIGNMENT_OPENED,
        subject=f"assignment:{assignment.pk}",
    )
    event(
        active_parent,
        active,
        days_ago=2,
        kind=Event.Kind.ACTIVITY_COMPLETED,
        subject=f"activity:{first.pk}",
    )
    event(lapsed_parent, lapsed, days_ago=20)
    event(closed, unreached, days_ago=1)
    # Staff activity never counts, even about a pupil.
    event(teacher, silent, days_ago=1)
    Completion.objects.create(pupil=active, activity=first, completed_by=active_parent)
    return World(
        school=school,
        robins=robins,
        teacher=teacher,
        assignment=assignment,
        active=active,
        lapsed=lapsed,
        silent=silent,
        unreached=unreached,
        parents={"active": active_parent, "lapsed": lapsed_parent, "silent": silent_parent},
    )


def more_families(school_class: SchoolClass, number: int, *, start: int = 0) -> None:
    """``number`` more pupils, each with a joined parent active a few times."""
    for index in range(start, start + number):
        pupil, parent = family(school_class, f"Extra{index}")
        for days_ago in (1, 9, 25):
            event(parent, pupil, days_ago=days_ago)
