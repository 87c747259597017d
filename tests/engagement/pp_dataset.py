"""A hand-built school for the Pupil Premium report, every number known.

Period: local dates [2025-03-03, 2025-04-07): from 00:00 GMT on 3 March (00:00 UTC)
to 00:00 BST on 7 April (23:00 UTC on 6 April); the clocks go forward on 30 March.

Robins (Year 1, plus R16 in Year 2) and Falcons (Year 2), at Oakfield Primary:

| pupil | PP | parents | counts as |
|---|---|---|---|
| R1 | yes | A, active 12 Mar | reached, active; 2 completions in, 1 before |
| R2 | yes | B1 and B2, both active 12-13 Mar | reached, active once; 1 completion |
| R3 | yes | C, active 10 Feb only | reached |
| R4 | yes | D, active exactly at `from` | reached, active |
| R5 | yes | E, active exactly at `to` | reached |
| R6 | yes | F, closed, active in period | 1 completion |
| R7 | no | G, restricted, active in period | 8 completions |
| R8 | no | H, active at another school only (H has a child there) | reached |
| R9 | no | an unconfirmed link | nothing |
| R10 | no | I, confirmed after `to`, active in period | nothing |
| R11 | no | J, active one second before `to` | reached, active |
| R12 | yes | removed before `to`, parent active | not on roll |
| R13 | no | K, active 25 Mar; removed after `to` | reached, active (on roll at `to`) |
| R14 | yes | created after `to` | not on roll |
| R15 | no | L, link ended 15 Mar, active 10 Mar | nothing |
| R16 | no (Year 2) | none | nothing |
| F1 | yes | M, active 31 Mar | reached, active |
| F2 | yes | N, never active | reached |
| F3, F4 | no | O (both), active 18 Mar | reached, active; F3 2 completions in, 1 at `to` |
| F5 | no | P, never active | reached; 1 completion just before `from` |
| F6, F7 | no | none | nothing |
"""

import datetime as dt
from dataclasses import dataclass

from accounts.models import User
from engagement.models import Event
from engagement.selectors import Period
from engagement.services import summary_rebuild
from learning.models import Completion
from schools.models import Guardianship, Pupil, School, SchoolClass, YearGroup
from tests.factories import (
    ActivityFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
)

UTC = dt.UTC
PERIOD = Period(dt.date(2025, 3, 3), dt.date(2025, 4, 7))
FROM = dt.datetime(2025, 3, 3, 0, 0, tzinfo=UTC)
TO = dt.datetime(2025, 4, 6, 23, 0, tzinfo=UTC)
ENROLLED = dt.datetime(2024, 9, 2, tzinfo=UTC)
JOINED = dt.datetime(2025, 1, 6, tzinfo=UTC)


def at(month, day, hour=12, minute=0, second=0):
    return dt.datetime(2025, month, day, hour, minute, second, tzinfo=UTC)


@dataclass
class Dataset:
    school: School
    other_school: School
    robins: SchoolClass
    falcons: SchoolClass


def build(school: School) -> Dataset:
    other_school = SchoolFactory(name="Elm Tree Primary")
    robins = SchoolClassFactory(school=school, name="Robins", year_group=YearGroup.Y1)
    falcons = SchoolClassFactory(school=school, name="Falcons", year_group=YearGroup.Y2)
    activities = ActivityFactory.create_batch(10, topic=TopicFactory())

    def pupil(school_class, pp, *, year=None, created=ENROLLED, removed=None, school_=school):
        made = PupilFactory(
            school=school_,
            school_class=school_class,
            year_group=year if year is not None else school_class.year_group,
            pupil_premium=pp,
            removed_by_school_at=removed,
        )
        Pupil.objects.filter(pk=made.pk).update(created_at=created)
        return made

    def parent(*children, confirmed=JOINED, ended=None, **fields) -> User:
        user = UserFactory(**fields)
        for child in children:
            Guardianship.objects.create(
                parent=user, pupil=child, confirmed_at=confirmed, ended_at=ended
            )
        return user

    def active(user, when, *, school_=school):
        Event.objects.create(actor=user, school=school_, kind=Event.Kind.SIGNED_IN, at=when)

    def completions(child, *whens):
        for activity, when in zip(activities, whens, strict=False):
            Completion.objects.create(pupil=child, activity=activity, completed_at=when)

    r1 = pupil(robins, True)
    active(parent(r1), at(3, 12, 18))
    completions(r1, at(3, 5), at(3, 6), at(2, 1))
    r2 = pupil(robins, True)
    active(parent(r2), at(3, 12, 19))
    active(parent(r2), at(3, 13))
    completions(r2, at(3, 15))
    r3 = pupil(robins, True)
    active(parent(r3), at(2, 10))
    r4 = pupil(robins, True)
    active(parent(r4), FROM)
    r5 = pupil(robins, True)
    active(parent(r5), TO)
    r6 = pupil(robins, True)
    active(parent(r6, closed_at=at(3, 25)), at(3, 20))
    completions(r6, at(3, 21))
    r7 = pupil(robins, False)
    active(parent(r7, processing_restricted=True), at(3, 20))
    completions(r7, *[at(3, 4 + n) for n in range(8)])
    r8 = pupil(robins, False)
    elsewhere = pupil(None, False, year=YearGroup.Y4, school_=other_school)
    h = parent(r8, elsewhere)
    active(h, at(3, 20), school_=other_school)
    r9 = pupil(robins, False)
    Guardianship.objects.create(parent=UserFactory(), pupil=r9, confirmed_at=None)
    r10 = pupil(robins, False)
    active(parent(r10, confirmed=at(4, 10)), at(3, 20))
    r11 = pupil(robins, False)
    active(parent(r11), TO - dt.timedelta(seconds=1))
    r12 = pupil(robins, True, removed=at(3, 20))
    active(parent(r12), at(3, 20))
    completions(r12, at(3, 10))
    r13 = pupil(robins, False, removed=at(4, 10))
    active(parent(r13), at(3, 25))
    r14 = pupil(robins, True, created=at(4, 8))
    active(parent(r14), at(4, 8))
    r15 = pupil(robins, False)
    active(parent(r15, ended=at(3, 15)), at(3, 10))
    pupil(robins, False, year=YearGroup.Y2)  # R16

    f1 = pupil(falcons, True)
    active(parent(f1), at(3, 31, 10))
    f2 = pupil(falcons, True)
    parent(f2)
    f3, f4 = pupil(falcons, False), pupil(falcons, False)
    active(parent(f3, f4), at(3, 18))
    completions(f3, at(3, 18), at(3, 19), TO)
    f5 = pupil(falcons, False)
    parent(f5)
    completions(f5, FROM - dt.timedelta(minutes=1))
    pupil(falcons, False)  # F6
    pupil(falcons, False)  # F7
    summary_rebuild()  # the events above were written directly, with their times
    return Dataset(school=school, other_school=other_school, robins=robins, falcons=falcons)


# Every measure, as the admin sees it (nothing suppressed), in CSV column order.
EXPECTED = [
    ["school", "Oakfield Primary", "8", "13", "87.5", "46.2", "41.3", "50.0", "30.8", "19.2",
     "0.50", "0.77", "-0.27"],
    ["year_group", "Year 1", "6", "7", "83.3", "42.9", "40.4", "50.0", "28.6", "21.4",
     "0.67", "1.14", "-0.47"],
    ["year_group", "Year 2", "2", "6", "100.0", "50.0", "50.0", "50.0", "33.3", "16.7",
     "0.00", "0.33", "-0.33"],
    ["class", "Robins", "6", "8", "83.3", "37.5", "45.8", "50.0", "25.0", "25.0",
     "0.67", "1.00", "-0.33"],
    ["class", "Falcons", "2", "5", "100.0", "60.0", "40.0", "50.0", "40.0", "10.0",
     "0.00", "0.40", "-0.40"],
]  # fmt: skip

F5 = "fewer than 5"
# The CSV, for everyone: the PP groups of Year 2 and Falcons have 2 pupils.
EXPECTED_CSV = [
    EXPECTED[0],
    EXPECTED[1],
    ["year_group", "Year 2", F5, "6", F5, "50.0", F5, F5, "33.3", F5, F5, "0.33", F5],
    EXPECTED[3],
    ["class", "Falcons", F5, "5", F5, "60.0", F5, F5, "40.0", F5, F5, "0.40", F5],
]

# Weekly trend for the whole school (8 PP, 13 not PP): (Monday, PP active, PP %,
# not-PP active, not-PP %).
EXPECTED_WEEKS = [
    (dt.date(2025, 3, 3), 1, "12.5", 0, "0.0"),
    (dt.date(2025, 3, 10), 2, "25.0", 0, "0.0"),
    (dt.date(2025, 3, 17), 0, "0.0", 2, "15.4"),
    (dt.date(2025, 3, 24), 0, "0.0", 1, "7.7"),
    (dt.date(2025, 3, 31), 1, "12.5", 1, "7.7"),
]
