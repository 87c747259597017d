"""Two schools and their families, for the breach register's tests.

Oakfield has two classes (Robins and Wrens) and an admin; Elmwood one class
(Owls) and an admin. One parent has a child at each school.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User
from privacy.models import Incident
from privacy.services import incident_record
from schools.models import Pupil, School, SchoolClass
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    teacher_of,
)

NOTICE = {
    "notice_summary": "A list of class names was emailed to the wrong school.",
    "notice_actions": "We asked the school that received it to delete it, and it has.",
    "notice_contact": "privacy@portal.example.org",
}


@dataclass
class World:
    oak: School
    elm: School
    robins: SchoolClass
    wrens: SchoolClass
    owls: SchoolClass
    oak_admin: User
    elm_admin: User
    robins_teacher: User
    parents: dict[str, User] = field(default_factory=dict)
    pupils: dict[str, Pupil] = field(default_factory=dict)


def family(
    world: World, key: str, school_class: SchoolClass, parent: User | None = None, **parent_fields
):
    """A pupil of ``school_class`` and their parent (a new one unless given)."""
    pupil = PupilFactory(
        school=school_class.school,
        school_class=school_class,
        first_name=f"Kid{key}",
        last_name=f"Kidsurname{key}",
    )
    if parent is None:
        parent = UserFactory(first_name=f"Parent{key}", last_name=f"Surname{key}", **parent_fields)
    GuardianshipFactory(parent=parent, pupil=pupil)
    world.parents[key] = parent
    world.pupils[key] = pupil
    return parent, pupil


def build_world() -> World:
    oak = SchoolFactory(name="Oakfield Primary")
    elm = SchoolFactory(name="Elmwood Primary")
    robins = SchoolClassFactory(school=oak, name="Robins")
    wrens = SchoolClassFactory(school=oak, name="Wrens")
    owls = SchoolClassFactory(school=elm, name="Owls")
    world = World(
        oak=oak,
        elm=elm,
        robins=robins,
        wrens=wrens,
        owls=owls,
        oak_admin=admin_of(oak, first_name="Olive", email="olive@oak.example.org"),
        elm_admin=admin_of(elm, first_name="Elsie", email="elsie@elm.example.org"),
        robins_teacher=teacher_of(robins, first_name="Tariq"),
    )
    family(world, "robin", robins, email="robin.parent@example.org", mobile="+447700900001")
    family(world, "wren", wrens, email="wren.parent@example.org")
    family(world, "owl", owls, email=None, mobile="+447700900003")
    both, _ = family(world, "both", robins, email="both.parent@example.org")
    family(world, "both_elm", owls, parent=both)
    world.parents.pop("both_elm")
    return world


def recorded(*, actor=None, found_at=None, **fields) -> Incident:
    """An incident recorded through the service, with the notice written."""
    return incident_record(
        title=fields.pop("title", "Class list emailed to the wrong school"),
        found_at=found_at or timezone.now(),
        description=fields.pop("description", "An export was attached to the wrong email."),
        data_categories=fields.pop("data_categories", ["pupil_identity"]),
        actor=actor or UserFactory(is_staff=True),
        **{**NOTICE, **fields},
    )
