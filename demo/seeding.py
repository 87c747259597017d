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
"""

from __future__ import annotations

import hashlib
import math
import random
import time
import unicodedata
from base64 import b32encode
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.gb import upn as upn_check

from accounts.lookup import mobile_lookup_hash, upn_lookup_hash
from accounts.models import Membership, User
from consent.models import ConsentRecord, Method, PrivacyNotice, Purpose
from consent.selectors import consent_current
from consent.services import consent_grant, consent_records_erase, notice_publish
from consent.wording import PURPOSE_STATEMENT
from demo.learning import DEMO_ASSIGNMENT_TOPIC, demo_assignment_create, demo_topics_save
from invitations.models import Invitation
from invitations.tokens import invitation_reference
from notifications.models import Message
from schools.models import Guardianship, Pupil, School, SchoolClass, current_academic_year

# Published on purpose: the demo accounts exist only in DEBUG demo databases.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105

DEMO_URN_PREFIX = "99"
DEMO_URN_REGEX = r"^99[0-9]{4}$"

MAX_SCHOOLS = 200
MIN_PUPILS_PER_SCHOOL = 3
MAX_PUPILS_PER_SCHOOL = 5000
MAX_EVENTS_PER_PUPIL = 1000

BATCH_SIZE = 1000
CLASS_SIZE = 30
PUPIL_PREMIUM_SHARE = 0.25
# Ofcom's drama range 07700 900000-900999: never allocated to a real phone.
DRAMA_MOBILE_FIRST = 447700900000
DRAMA_MOBILE_COUNT = 1000
PARENT_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
# A primary school: Reception to Year 6.
PRIMARY_YEAR_GROUPS = (0, 1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class DemoAccount:
    key: str
    role: str
    email: str
    first_name: str
    last_name: str
    needs_second_factor: bool


DEMO_ADMIN = DemoAccount("admin", "School admin", "admin@demo.example.org", "Helen", "Carter", True)
DEMO_TEACHER = DemoAccount("teacher", "Teacher", "teacher@demo.example.org", "Tom", "Okafor", True)
DEMO_PARENT = DemoAccount("parent", "Parent", "parent@demo.example.org", "Amira", "Hussain", False)
DEMO_STAFF = DemoAccount(
    "staff", "Platform staff", "staff@demo.example.org", "Alex", "Morgan", True
)
DEMO_ACCOUNTS = (DEMO_ADMIN, DEMO_TEACHER, DEMO_PARENT, DEMO_STAFF)
DEMO_EMAILS = tuple(account.email for account in DEMO_ACCOUNTS)

DEMO_NOTICE_VERSION = "1.0"
DEMO_NOTICE_SUMMARY = "The first version of the privacy notice."
DEMO_NOTICE_TEXT = """\
This is the demo privacy notice of the Home Learning Portal. The people, schools and \
contact details in this demo are made up.

Your child's school gives us your name, your email address or mobile number, and your \
children's names, year groups and classes, so that it can invite you. When you join, we \
keep the account you create and what you and your children do on the portal.

We use it to run the portal: to show you your children's activities, to let the school \
see how families take part, and to send you the messages the service needs. We use your \
photos and comments to promote the programme, and send you news by email, only if you \
agree; you can change your mind at any time on your Privacy and consent page.

You can ask to see the data we hold about you, to correct it or to have it deleted."""

# The demo parent's children: (first name, year group) at the first school, then
# at the second. With a single school all three are at the first.
DEMO_CHILDREN = (("Layla", 3), ("Yusuf", 5), ("Zayn", 4))
DEMO_TEACHER_YEAR_GROUPS = (3, 4)

GIRLS_FIRST_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Sophia", "Grace",
    "Freya", "Evie", "Poppy", "Ella", "Aisha", "Maryam", "Fatima", "Zara", "Hannah", "Chloe",
    "Ruby", "Emily", "Sienna", "Layla", "Nia", "Priya", "Anaya", "Amara", "Zainab", "Maya",
    "Harper", "Willow", "Daisy", "Alice", "Phoebe", "Florence", "Matilda", "Rosie", "Erin",
    "Niamh", "Eilidh", "Seren", "Zofia", "Hana", "Mei", "Chioma", "Adaeze", "Leah", "Sofia",
    "Imani",
)  # fmt: skip
BOYS_FIRST_NAMES = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Muhammad", "Harry", "Oscar", "Archie",
    "Henry", "Theo", "Jack", "Charlie", "Freddie", "Alfie", "Jacob", "Thomas", "Isaac",
    "Finley", "Joshua", "Ethan", "Reuben", "Yusuf", "Ibrahim", "Ayaan", "Arjun", "Rohan",
    "Kai", "Mason", "Samuel", "Elijah", "Louis", "Max", "Rory", "Callum", "Cian", "Dylan",
    "Rhys", "Owen", "Jakub", "Kacper", "Tobi", "Kwame", "Tariq", "Hamza", "Zayn", "Daniel",
    "Luca", "Ezra", "Jayden",
)  # fmt: skip
WOMEN_FIRST_NAMES = (
    "Sarah", "Emma", "Laura", "Rebecca", "Claire", "Gemma", "Hayley", "Kirsty", "Nicola",
    "Rachel", "Amy", "Charlotte", "Jessica", "Victoria", "Joanne", "Lisa", "Natalie",
    "Samantha", "Stacey", "Kelly", "Amina", "Nadia", "Ayesha", "Sana", "Shabana", "Farhana",
    "Rukhsana", "Sunita", "Anjali", "Deepa", "Chiamaka", "Ngozi", "Funmi", "Abena", "Marcia",
    "Shanice", "Aneta", "Magdalena", "Joanna", "Katarzyna", "Siobhan", "Aoife", "Fiona",
    "Catrin", "Rhian", "Mei Ling", "Elena", "Tanya", "Jade", "Leanne",
)  # fmt: skip
MEN_FIRST_NAMES = (
    "David", "James", "Michael", "Daniel", "Christopher", "Mark", "Paul", "Andrew", "Richard",
    "Matthew", "Stephen", "Craig", "Lee", "Gareth", "Wayne", "Darren", "Jamie", "Ryan", "Adam",
    "Tom", "Mohammed", "Imran", "Asif", "Khalid", "Omar", "Bilal", "Rajesh", "Sanjay",
    "Vikram", "Amit", "Hardeep", "Chinedu", "Emeka", "Kofi", "Olu", "Delroy", "Marcus",
    "Tomasz", "Piotr", "Marek", "Sean", "Ciaran", "Declan", "Rhodri", "Dafydd", "Wei", "Jun",
    "Nathan", "Scott", "Kieran",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Thomas", "Clarke", "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Hughes", "Moore", "Clark", "King", "Harrison", "Lewis", "Baker", "Lee",
    "Allen", "Morris", "Khan", "Scott", "Watson", "Davis", "Parker", "Bennett", "Young",
    "Phillips", "Richardson", "Mitchell", "Bailey", "Carter", "Cook", "Singh", "Shaw", "Bell",
    "Collins", "Morgan", "Kelly", "Begum", "Miller", "Cox", "Hussain", "Marshall", "Simpson",
    "Price", "Anderson", "Adams", "Wilkinson", "Ali", "Ahmed", "Foster", "Ellis", "Murphy",
    "Chapman", "Mason", "Gray", "Richards", "Webb", "Griffiths", "Hunt", "Palmer", "Campbell",
    "Holmes", "Mills", "Rogers", "Barnes", "Knight", "Okafor", "Adeyemi", "Mensah", "Osei",
    "Nowak", "Kowalski", "Chen", "Wong", "Nguyen", "O'Brien", "MacDonald", "Rahman", "Shah",
    "Mahmood", "Akhtar", "Boateng", "Fernandes",
)  # fmt: skip
SCHOOL_PLACES = (
    "Oakfield", "Meadowbank", "Ashgrove", "Riverside", "Hillcrest", "Westbrook", "Brookside",
    "Greenfields", "Beechwood", "Fairfield", "Highfield", "Kingsmead", "Langley", "Millbrook",
    "Northgate", "Orchard Vale", "Parkside", "Queensbury", "Redwood", "Southfields",
    "Thornhill", "Willowbank", "Woodlands", "Elmhurst", "Hawthorn", "Larkrise", "Rosedale",
    "Springfield", "Stonebridge", "Summerfield", "Ferncroft", "Heathside", "Foxhill",
    "Cherry Tree", "Lime Grove", "Moorside", "Castle View", "Bramley", "Harbour Side",
    "Wildflower",
)  # fmt: skip
SCHOOL_PLACE_QUALIFIERS = ("Park", "Green", "Vale", "Hill", "Lane", "Fields")
SCHOOL_KINDS = (
    "Primary School", "Primary School", "Primary School", "Primary Academy",
    "Community Primary School", "C of E Primary School",
)  # fmt: skip
CLASS_THEMES = (
    ("Robins", "Wrens", "Owls", "Kingfishers", "Swallows", "Kestrels", "Puffins", "Herons",
     "Finches", "Skylarks", "Woodpeckers", "Nightingales", "Falcons", "Swifts"),
    ("Oak", "Ash", "Willow", "Beech", "Rowan", "Hazel", "Maple", "Birch", "Cedar", "Elm",
     "Holly", "Chestnut", "Sycamore", "Juniper"),
)  # fmt: skip
# Local-authority numbers (as in UPNs) of a spread of English authorities.
LA_NUMBERS = (
    202, 204, 209, 211, 302, 306, 330, 335, 352, 373, 380, 383, 390, 801, 815, 850, 855, 873,
    886, 925,
)  # fmt: skip
ONE_CONTACT = (("Mother", True, 6), ("Father", True, 2), ("Grandmother", False, 1),
               ("Foster carer", False, 1))  # fmt: skip
TWO_CONTACTS = (
    (("Mother", True), ("Father", True), 7),
    (("Mother", True), ("Stepfather", False), 1),
    (("Father", True), ("Stepmother", False), 1),
    (("Mother", True), ("Grandmother", False), 1),
)


# --- Deterministic demo identifiers and secrets -----------------------------------


def demo_urn(*, seed: int, index: int) -> str:
    """The URN of the demo school at this index for this seed (990000-999999)."""
    return f"{DEMO_URN_PREFIX}{(seed * 7919 + index * 613) % 10000:04d}"


def _demo_digest(purpose: str, email: str) -> bytes:
    return hashlib.sha256(f"home-learning-demo:{purpose}:{email}".encode()).digest()


def demo_totp_key(email: str) -> str:
    """The fixed authenticator key (hex, 20 bytes) of a demo staff account."""
    return _demo_digest("totp", email)[:20].hex()


def demo_backup_codes(email: str, count: int = 10) -> list[str]:
    """Fixed backup codes of a demo staff account, in the alphabet of real ones."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for number in range(count):
        digest = _demo_digest(f"backup-{number}", email)
        codes.append("".join(alphabet[byte % len(alphabet)] for byte in digest[:10]))
    return codes


# --- Planning: pure Python, no database ------------------------------------------


@dataclass
class _Family:
    surname: str
    size: int
    contacts: list[tuple[User, str, bool]] = field(default_factory=list)
    pupil_premium: bool = False
    demo: bool = False


@dataclass
class _SchoolPlan:
    index: int
    urn: str
    name: str
    classes: list[SchoolClass] = field(default_factory=list)
    pupils: list[Pupil] = field(default_factory=list)
    # (pupil, parent, relationship, parental responsibility, confirmed)
    links: list[tuple[Pupil, User, str, bool, bool]] = field(default_factory=list)


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

    @property
    def pupils(self) -> int:
        return sum(school.pupils for school in self.schools)


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _school_names(rng: random.Random, count: int) -> list[str]:
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


class _ContactMaker:
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
    rng: random.Random, contacts: _ContactMaker, surname: str
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


def _plan_school(
    *,
    seed: int,
    index: int,
    name: str,
    pupils: int,
    demo_children: list[tuple[str, int]],
    demo_contacts: list[tuple[User, str, bool]],
    contacts: _ContactMaker,
    academic_year: int,
) -> _SchoolPlan:
    rng = random.Random(f"demo-school:{seed}:{index}")
    plan = _SchoolPlan(index=index, urn=demo_urn(seed=seed, index=index), name=name)

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


def _upsert_schools(plans: list[_SchoolPlan]) -> dict[str, School]:
    existing = {school.urn: school for school in _demo_schools()}
    wanted = {plan.urn for plan in plans}
    stale = [school.pk for urn, school in existing.items() if urn not in wanted]
    School.objects.filter(pk__in=stale).delete()
    schools = {}
    new = []
    for plan in plans:
        school = existing.get(plan.urn)
        if school is None:
            school = School(urn=plan.urn, name=plan.name)
            new.append(school)
        else:
            school.name = plan.name
            school.kind = School.Kind.SCHOOL
            school.status = School.Status.ACTIVE
        schools[plan.urn] = school
    School.objects.bulk_update(
        [s for s in schools.values() if s.pk is not None], ["name", "kind", "status"]
    )
    School.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return schools


def _demo_account_save(account: DemoAccount) -> User:
    user = User.objects.filter(email__iexact=account.email).first() or User(email=account.email)
    user.first_name = account.first_name
    user.last_name = account.last_name
    user.is_active = True
    user.is_staff = account is DEMO_STAFF
    user.is_superuser = False
    user.closed_at = None
    user.delete_after = None
    user.processing_restricted = False
    user.set_password(DEMO_PASSWORD)
    user.save()
    if account.needs_second_factor:
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(
            user=user, name="Authenticator app", key=demo_totp_key(account.email), confirmed=True
        )
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in demo_backup_codes(account.email)
        )
    return user


def _demo_teacher_classes(plans: list[_SchoolPlan]) -> list[SchoolClass]:
    """The first class of each of the demo teacher's year groups at the first school:
    the first is the class of the demo parent's first child (placed first there)."""
    return [
        next(c for c in plans[0].classes if c.year_group == year)
        for year in DEMO_TEACHER_YEAR_GROUPS
    ]


def _demo_accounts_save(schools: list[School], plans: list[_SchoolPlan]) -> dict[str, User]:
    users = {account.key: _demo_account_save(account) for account in DEMO_ACCOUNTS}
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
    users["staff"].user_permissions.set(
        [Permission.objects.get(content_type__app_label="schools", codename="view_school")]
    )
    return users


def demo_notice_publish(*, actor: User) -> PrivacyNotice:
    """The current privacy notice; when none is published yet, the demo's own is
    published (a draft of the same version included), so that consent given in
    the demo names a notice. Running it again changes nothing."""
    current = PrivacyNotice.current()
    if current is not None:
        return current
    notice, _ = PrivacyNotice.objects.get_or_create(
        version=DEMO_NOTICE_VERSION,
        defaults={"text": DEMO_NOTICE_TEXT, "summary_of_changes": DEMO_NOTICE_SUMMARY},
    )
    if notice.is_published:  # published for a time still to come
        return notice
    return notice_publish(notice=notice, actor=actor)


def _demo_parent_consent(*, parent: User, notice: PrivacyNotice) -> None:
    """The demo parent agreed to the platform's processing when they joined: recorded
    unless they consent now, so a second run adds nothing."""
    if not consent_current(user=parent, purpose=Purpose.PLATFORM):
        consent_grant(
            user=parent,
            purpose=Purpose.PLATFORM,
            wording=PURPOSE_STATEMENT[Purpose.PLATFORM],
            method=Method.REGISTRATION,
            notice=notice,
        )


def _validate(*, schools: int, pupils_per_school: int) -> None:
    if not 1 <= schools <= MAX_SCHOOLS:
        raise ValueError(f"--schools must be between 1 and {MAX_SCHOOLS}.")
    if not MIN_PUPILS_PER_SCHOOL <= pupils_per_school <= MAX_PUPILS_PER_SCHOOL:
        raise ValueError(
            f"--pupils-per-school must be between {MIN_PUPILS_PER_SCHOOL} "
            f"and {MAX_PUPILS_PER_SCHOOL}."
        )


@transaction.atomic
def demo_data_seed(*, schools: int, pupils_per_school: int, seed: int) -> DemoSummary:
    """Replace the demo schools with ``schools`` new ones built from ``seed``.

    Raises ValueError for sizes out of range.
    """
    _validate(schools=schools, pupils_per_school=pupils_per_school)
    existing = _demo_schools()
    removed = existing.exclude(
        urn__in=[demo_urn(seed=seed, index=n) for n in range(schools)]
    ).count()
    _remove_contents(existing)

    rng = random.Random(f"demo-run:{seed}")
    contacts = _ContactMaker(rng, *_taken_contacts())
    demo_parent = User(email=DEMO_PARENT.email)  # stands in until the account is saved
    co_parent = contacts.make("Yusuf", DEMO_PARENT.last_name)
    demo_contacts = [(demo_parent, "Mother", True), (co_parent, "Father", True)]
    if schools == 1:
        children_at = [list(DEMO_CHILDREN)]
    else:
        children_at = [list(DEMO_CHILDREN[:2]), [DEMO_CHILDREN[2]]]
    academic_year = current_academic_year()
    plans = [
        _plan_school(
            seed=seed,
            index=index,
            name=name,
            pupils=pupils_per_school,
            demo_children=children_at[index] if index < len(children_at) else [],
            demo_contacts=demo_contacts,
            contacts=contacts,
            academic_year=academic_year,
        )
        for index, name in enumerate(_school_names(random.Random(f"demo-names:{seed}"), schools))
    ]

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
    _demo_parent_consent(parent=accounts["parent"], notice=notice)

    now = timezone.now()
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
                    confirmed_at=now if confirmed else None,
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
    )


# --- Reading the demo logins back -----------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    account: DemoAccount
    school_names: list[str]
    totp_key_base32: str = ""
    otpauth_url: str = ""
    current_code: str = ""
    seconds_left: int = 0
    backup_codes: list[str] = field(default_factory=list)


def demo_logins_read() -> list[DemoLogin]:
    """The demo accounts that exist, with what each needs to sign in.

    Secrets are read from the database, so backup codes already used are not shown.
    """
    users = {
        user.email: user
        for user in User.objects.filter(email__in=DEMO_EMAILS).prefetch_related(
            "memberships__school", "guardianships__pupil__school"
        )
    }
    result = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.email)
        if user is None:
            continue
        schools = {m.school.name for m in user.memberships.all()} | {
            g.pupil.school.name for g in user.guardianships.all() if g.active
        }
        login = DemoLogin(account=account, school_names=sorted(schools))
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            now = int(time.time())
            code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
            codes = StaticToken.objects.filter(device__user=user, device__confirmed=True).order_by(
                "pk"
            )
            login = DemoLogin(
                account=account,
                school_names=login.school_names,
                totp_key_base32=b32encode(device.bin_key).decode(),
                otpauth_url=device.config_url,
                current_code=f"{code:0{device.digits}d}",
                seconds_left=device.step - (now - device.t0) % device.step,
                backup_codes=[token.token for token in codes],
            )
        result.append(login)
    return result
