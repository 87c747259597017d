"""Planning demo schools: pure Python, no database.

Everything is made from ``random.Random`` seeded with the seed, so the same seed
always gives the same schools, classes, pupils and contacts: year groups spread
evenly, classes of up to thirty, about 15% of families with siblings at the
school, about a quarter of pupils Pupil Premium (siblings share it), valid and
unique UPNs, and parents with unique emails and Ofcom drama-range mobiles.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from stdnum.gb import upn as upn_check

from accounts.lookup import mobile_lookup_hash, upn_lookup_hash
from accounts.models import User
from accounts.names import ascii_only
from demo.accounts import DEMO_PARENT
from demo.wordlists import (
    BOYS_FIRST_NAMES,
    CLASS_THEMES,
    GIRLS_FIRST_NAMES,
    LA_NUMBERS,
    MEN_FIRST_NAMES,
    ONE_CONTACT,
    SCHOOL_KINDS,
    SCHOOL_PLACE_QUALIFIERS,
    SCHOOL_PLACES,
    SURNAMES,
    TWO_CONTACTS,
    WOMEN_FIRST_NAMES,
)
from schools.models import Pupil, SchoolClass

DEMO_URN_PREFIX = "99"

CLASS_SIZE = 30
PUPIL_PREMIUM_SHARE = 0.25
# Ofcom's drama range 07700 900000-900999: never allocated to a real phone.
DRAMA_MOBILE_FIRST = 447700900000
DRAMA_MOBILE_COUNT = 1000
PARENT_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
# A primary school: Reception to Year 6.
PRIMARY_YEAR_GROUPS = (0, 1, 2, 3, 4, 5, 6)


def demo_urn(*, seed: int, index: int) -> str:
    """The URN of the demo school at this index for this seed (990000-999999)."""
    return f"{DEMO_URN_PREFIX}{(seed * 7919 + index * 613) % 10000:04d}"


@dataclass
class _Family:
    surname: str
    size: int
    contacts: list[tuple[User, str, bool]] = field(default_factory=list)
    pupil_premium: bool = False
    demo: bool = False


@dataclass
class SchoolPlan:
    index: int
    urn: str
    name: str
    classes: list[SchoolClass] = field(default_factory=list)
    pupils: list[Pupil] = field(default_factory=list)
    # (pupil, parent, relationship, parental responsibility, confirmed)
    links: list[tuple[Pupil, User, str, bool, bool]] = field(default_factory=list)


def _ascii_slug(text: str) -> str:
    return "".join(ch for ch in ascii_only(text).lower() if ch.isalnum())


def school_names(rng: random.Random, count: int) -> list[str]:
    places = list(SCHOOL_PLACES)
    rng.shuffle(places)
    names = []
    for index in range(count):
        place = places[index % len(places)]
        if index >= len(places):
            place = f"{place} {SCHOOL_PLACE_QUALIFIERS[index // len(places) - 1]}"
        names.append(f"{place} {rng.choice(SCHOOL_KINDS)}")
    return names


def _letters(number: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: class letters that never run out."""
    letters = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _class_names(rng: random.Random, classes_per_year: dict[int, int]) -> dict[int, list[str]]:
    """Names for each year group's classes: a theme ("Robins") or year and letter ("3B")."""
    total = sum(classes_per_year.values())
    theme = rng.choice(CLASS_THEMES)
    if total <= len(theme) and rng.random() < 0.5:
        names = iter(theme)
        return {year: [next(names) for _ in range(n)] for year, n in classes_per_year.items()}
    result = {}
    for year, count in classes_per_year.items():
        code = "R" if year == 0 else str(year)
        if count == 1:
            result[year] = ["Reception" if year == 0 else f"Year {year}"]
        else:
            result[year] = [f"{code}{_letters(n)}" for n in range(count)]
    return result


class ContactMaker:
    """Parent users with unique emails and drama-range mobiles, across the whole run."""

    def __init__(self, rng: random.Random, taken_emails: set[str], taken_mobiles: set[str]):
        self.rng = rng
        self.taken_emails = taken_emails
        self.taken_mobiles = taken_mobiles
        self.sequence = 0
        self.next_mobile = 0
        self.users: list[User] = []

    def _email(self, first_name: str, last_name: str) -> str:
        self.sequence += 1
        local = f"{_ascii_slug(first_name)}.{_ascii_slug(last_name)}{self.sequence}"
        domain = PARENT_EMAIL_DOMAINS[self.sequence % len(PARENT_EMAIL_DOMAINS)]
        email, suffix = f"{local}@{domain}", 0
        while email in self.taken_emails:
            suffix += 1
            email = f"{local}{_letters(suffix).lower()}@{domain}"
        self.taken_emails.add(email)
        return email

    def _mobile(self) -> str:
        while self.next_mobile < DRAMA_MOBILE_COUNT:
            mobile = f"+{DRAMA_MOBILE_FIRST + self.next_mobile}"
            self.next_mobile += 1
            if mobile not in self.taken_mobiles:
                return mobile
        return ""

    def make(self, first_name: str, last_name: str) -> User:
        draw = self.rng.random()
        mobile = self._mobile() if draw < 0.7 else ""
        # About one contact in seven is known by mobile alone, while numbers last.
        email = None if (mobile and draw < 0.15) else self._email(first_name, last_name)
        user = User(
            email=email,
            first_name=first_name,
            last_name=last_name,
            mobile=mobile,
            mobile_hash=mobile_lookup_hash(mobile) if mobile else "",
            password=f"{UNUSABLE_PASSWORD_PREFIX}demo{self.rng.getrandbits(128):032x}",
            is_active=False,
        )
        self.users.append(user)
        return user


def _adult_name(rng: random.Random, relationship: str) -> str:
    female = relationship in {"Mother", "Stepmother", "Grandmother"} or (
        relationship == "Foster carer" and rng.random() < 0.5
    )
    return rng.choice(WOMEN_FIRST_NAMES if female else MEN_FIRST_NAMES)


def _family_contacts(
    rng: random.Random, contacts: ContactMaker, surname: str
) -> list[tuple[User, str, bool]]:
    if rng.random() < 0.6:
        weights = [option[2] for option in TWO_CONTACTS]
        first, second, _ = rng.choices(TWO_CONTACTS, weights=weights)[0]
        roles = [first, second]
    else:
        weights = [option[2] for option in ONE_CONTACT]
        relationship, responsibility, _ = rng.choices(ONE_CONTACT, weights=weights)[0]
        roles = [(relationship, responsibility)]
    result = []
    for relationship, responsibility in roles:
        same_surname = rng.random() < (0.85 if responsibility else 0.4)
        last_name = surname if same_surname else rng.choice(SURNAMES)
        user = contacts.make(_adult_name(rng, relationship), last_name)
        result.append((user, relationship, responsibility))
    return result


def _family_sizes(rng: random.Random, pupils: int, first: int) -> list[int]:
    """About 15% of families have two or three children at the school."""
    sizes = [first] if first else []
    remaining = pupils - first
    while remaining > 0:
        draw = rng.random()
        size = 3 if draw < 0.04 else 2 if draw < 0.15 else 1
        size = min(size, remaining)
        sizes.append(size)
        remaining -= size
    return sizes


def _upns(rng: random.Random, year_groups: list[int], academic_year: int) -> list[str]:
    """Valid, unique UPNs: most issued by this school in the pupil's entry year."""
    home_la, home_establishment = rng.choice(LA_NUMBERS), rng.randint(2000, 2999)
    serials: Counter[int] = Counter()
    start = rng.randint(1, 150)
    seen: set[str] = set()
    result = []
    for year_group in year_groups:
        issued = (academic_year - year_group) % 100
        while True:
            if rng.random() < 0.9:
                body = f"{home_la:03d}{home_establishment:04d}{issued:02d}"
                serial = (start + serials[issued]) % 1000
                serials[issued] += 1
            else:  # joined from another school
                body = f"{rng.choice(LA_NUMBERS):03d}{rng.randint(2000, 2999):04d}{issued:02d}"
                serial = rng.randint(0, 999)
            upn = upn_check.calc_check_digit(f"{body}{serial:03d}") + f"{body}{serial:03d}"
            if upn not in seen:
                break
        seen.add(upn)
        result.append(upn)
    return result


def school_plan(
    *,
    seed: int,
    index: int,
    name: str,
    pupils: int,
    demo_children: list[tuple[str, int]],
    demo_contacts: list[tuple[User, str, bool]],
    contacts: ContactMaker,
    academic_year: int,
) -> SchoolPlan:
    rng = random.Random(f"demo-school:{seed}:{index}")
    plan = SchoolPlan(index=index, urn=demo_urn(seed=seed, index=index), name=name)

    # Year groups spread evenly, shuffled; the demo children get the years they need.
    years = [PRIMARY_YEAR_GROUPS[n % len(PRIMARY_YEAR_GROUPS)] for n in range(pupils)]
    rng.shuffle(years)
    for position, (_, wanted) in enumerate(demo_children):
        swap = next((n for n in range(position, pupils) if years[n] == wanted), None)
        if swap is not None:
            years[position], years[swap] = years[swap], years[position]

    per_year = Counter(years)
    classes_per_year = {
        year: max(1, math.ceil(per_year[year] / CLASS_SIZE)) for year in PRIMARY_YEAR_GROUPS
    }
    names = _class_names(rng, classes_per_year)
    classes_by_year: dict[int, list[SchoolClass]] = {}
    for year in PRIMARY_YEAR_GROUPS:
        classes_by_year[year] = [
            SchoolClass(name=class_name, year_group=year, academic_year=academic_year)
            for class_name in names[year]
        ]
        plan.classes.extend(classes_by_year[year])

    families = []
    for number, size in enumerate(_family_sizes(rng, pupils, len(demo_children))):
        if number == 0 and demo_children:
            family = _Family(DEMO_PARENT.last_name, size, list(demo_contacts), demo=True)
        else:
            surname = rng.choice(SURNAMES)
            family = _Family(surname, size, _family_contacts(rng, contacts, surname))
        families.append(family)

    # About a quarter of pupils are Pupil Premium; siblings share the status.
    target = round(pupils * PUPIL_PREMIUM_SHARE)
    counted = 0
    for family in rng.sample(families, len(families)):
        if counted >= target:
            break
        family.pupil_premium = True
        counted += family.size

    upns = _upns(rng, years, academic_year)
    placed: Counter[int] = Counter()
    position = 0
    for family in families:
        used_names: set[str] = set()
        for child in range(family.size):
            year = years[position]
            if family.demo:
                first_name = demo_children[child][0]
            else:
                names_list = GIRLS_FIRST_NAMES if rng.random() < 0.5 else BOYS_FIRST_NAMES
                first_name = rng.choice(names_list)
                while first_name in used_names:
                    first_name = rng.choice(names_list)
            used_names.add(first_name)
            year_classes = classes_by_year[year]
            pupil = Pupil(
                first_name=first_name,
                last_name=family.surname,
                upn=upns[position],
                upn_hash=upn_lookup_hash(upns[position]),
                year_group=year,
                pupil_premium=family.pupil_premium,
            )
            pupil.school_class = year_classes[placed[year] % len(year_classes)]
            placed[year] += 1
            plan.pupils.append(pupil)
            for user, relationship, responsibility in family.contacts:
                confirmed = family.demo and user.email == DEMO_PARENT.email
                plan.links.append((pupil, user, relationship, responsibility, confirmed))
            position += 1
    return plan
