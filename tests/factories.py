from datetime import timedelta

import factory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker
from stdnum.gb import upn as upn_check

from accounts.models import Membership, User
from learning.models import Activity, Assignment, Subject, Topic
from schools.models import Guardianship, Pupil, School, SchoolClass, YearGroup

_faker = Faker("en_GB")


def plain_name(kind: str):
    """A Faker name without apostrophes, so tests can look for it in escaped HTML.
    (Names like O'Connor are covered by their own escaping test.)"""
    return factory.LazyFunction(lambda: getattr(_faker, kind)().replace("'", ""))


def make_upn(serial: int, la: int = 801, establishment: int = 2000, year: int = 15) -> str:
    """A valid UPN (correct check letter) for the given serial number."""
    body = f"{la:03d}{establishment:04d}{year:02d}{serial % 1000:03d}"
    return upn_check.calc_check_digit(body) + body


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Test Primary School {n}")
    urn = factory.Sequence(lambda n: f"{100000 + n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = plain_name("first_name")
    last_name = plain_name("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = Membership.Role.TEACHER


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Class {n}")
    year_group = YearGroup.Y3


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    school_class = factory.SubFactory(SchoolClassFactory, school=factory.SelfAttribute("..school"))
    first_name = plain_name("first_name")
    last_name = plain_name("last_name")
    upn = factory.Sequence(lambda n: make_upn(n, establishment=2000 + n // 1000))
    year_group = YearGroup.Y3


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardianship

    parent = factory.SubFactory(UserFactory)
    pupil = factory.SubFactory(PupilFactory)
    relationship = "Parent"
    parental_responsibility = True
    confirmed_at = factory.LazyFunction(timezone.now)


class TopicFactory(factory.django.DjangoModelFactory):
    """A published library topic (pass ``school=`` for a school's own)."""

    class Meta:
        model = Topic

    school = None
    title = factory.Sequence(lambda n: f"Topic {n}")
    summary = "Things to do together at home."
    subject = Subject.MATHS
    year_group_min = YearGroup.RECEPTION
    year_group_max = YearGroup.Y6
    published = True


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity (instructions only) placed after the topic's last one."""

    class Meta:
        model = Activity

    topic = factory.SubFactory(TopicFactory)
    kind = Activity.Kind.ACTIVITY
    title = factory.Sequence(lambda n: f"Activity {n}")
    instructions = "Count the spoons in the kitchen drawer."
    position = factory.LazyAttribute(
        lambda activity: (
            max(activity.topic.activities.values_list("position", flat=True), default=0) + 1
        )
    )


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    topic = factory.SubFactory(TopicFactory)
    school_class = factory.SubFactory(SchoolClassFactory)
    starts_on = factory.LazyFunction(timezone.localdate)
    due_on = factory.LazyAttribute(lambda assignment: assignment.starts_on + timedelta(days=14))


def teacher_of(school_class: SchoolClass, **user_fields) -> User:
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, school=school_class.school, role=Membership.Role.TEACHER)
    school_class.teachers.add(user)
    return user


def admin_of(school: School, **user_fields) -> User:
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, school=school, role=Membership.Role.ADMIN)
    return user


def confirmed_totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in_verified(client, user: User) -> None:
    """Sign a staff user in on the test client as if they had entered a TOTP code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = confirmed_totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
