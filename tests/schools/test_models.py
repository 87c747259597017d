"""Database constraints on schools, classes and pupils hold below the forms."""

import pytest
from django.db import IntegrityError, transaction

from accounts.lookup import upn_lookup_hash
from schools.models import Guardianship, Pupil, SchoolClass
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    make_upn,
)

pytestmark = pytest.mark.django_db


def test_upn_hash_is_set_on_save():
    pupil = PupilFactory(upn=make_upn(7))

    pupil.refresh_from_db()
    assert pupil.upn_hash == upn_lookup_hash(make_upn(7))


def test_upn_hash_follows_a_changed_upn_even_with_update_fields():
    pupil = PupilFactory(upn=make_upn(7))

    pupil.upn = make_upn(8)
    pupil.save(update_fields=["upn"])

    pupil.refresh_from_db()
    assert pupil.upn_hash == upn_lookup_hash(make_upn(8))


def test_same_upn_twice_at_one_school_is_refused_by_the_database():
    school = SchoolFactory()
    PupilFactory(school=school, upn=make_upn(11))

    with pytest.raises(IntegrityError), transaction.atomic():
        PupilFactory(school=school, upn=make_upn(11))

    assert Pupil.objects.filter(school=school).count() == 1


def test_upn_uniqueness_holds_for_bulk_create_with_a_lower_case_spelling():
    school = SchoolFactory()
    PupilFactory(school=school, upn=make_upn(12))
    twin = Pupil(
        school=school,
        first_name="Twin",
        last_name="Copy",
        upn=make_upn(12).lower(),
        upn_hash=upn_lookup_hash(make_upn(12).lower()),
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Pupil.objects.bulk_create([twin])


def test_same_upn_at_two_schools_is_allowed():
    PupilFactory(school=SchoolFactory(), upn=make_upn(13))
    PupilFactory(school=SchoolFactory(), upn=make_upn(13))

    assert Pupil.objects.filter(upn=make_upn(13)).count() == 2


def test_pupils_without_upn_do_not_collide():
    school = SchoolFactory()
    PupilFactory(school=school, upn="")
    PupilFactory(school=school, upn="")

    assert Pupil.objects.filter(school=school, upn_hash__isnull=True).count() == 2


@pytest.mark.parametrize("year_group", [-2, 14, 99])
def test_pupil_year_group_outside_nursery_to_13_is_refused(year_group):
    with pytest.raises(IntegrityError), transaction.atomic():
        PupilFactory(year_group=year_group)


@pytest.mark.parametrize("year_group", [-1, 0, 6, 13, None])
def test_pupil_year_group_inside_range_is_accepted(year_group):
    pupil = PupilFactory(year_group=year_group)

    assert Pupil.objects.get(pk=pupil.pk).year_group == year_group


@pytest.mark.parametrize("year_group", [-2, 14])
def test_class_year_group_outside_nursery_to_13_is_refused(year_group):
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolClassFactory(year_group=year_group)


def test_class_name_unique_per_school_and_academic_year():
    school = SchoolFactory()
    SchoolClassFactory(school=school, name="Oak", academic_year=2025)
    SchoolClassFactory(school=school, name="Oak", academic_year=2024)
    SchoolClassFactory(school=SchoolFactory(), name="Oak", academic_year=2025)

    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolClassFactory(school=school, name="Oak", academic_year=2025)

    assert SchoolClass.objects.filter(name="Oak").count() == 3


def test_anonymised_pupil_cannot_keep_a_upn():
    pupil = PupilFactory(upn=make_upn(21))

    with pytest.raises(IntegrityError), transaction.atomic():
        Pupil.objects.filter(pk=pupil.pk).update(anonymised_at="2025-01-01T00:00:00Z")


def test_a_parent_has_one_guardianship_per_pupil():
    guardianship = GuardianshipFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianshipFactory(parent=guardianship.parent, pupil=guardianship.pupil)

    assert Guardianship.objects.filter(pupil=guardianship.pupil).count() == 1


def test_a_pupil_may_have_several_parents_and_a_parent_several_children():
    first = GuardianshipFactory()
    GuardianshipFactory(pupil=first.pupil)
    GuardianshipFactory(parent=first.parent, pupil=PupilFactory(school=SchoolFactory()))

    assert Guardianship.objects.filter(pupil=first.pupil).count() == 2
    assert Guardianship.objects.filter(parent=first.parent).count() == 2
