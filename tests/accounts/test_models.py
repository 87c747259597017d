"""Database constraints on users and memberships hold below the forms."""

import pytest
from django.db import IntegrityError, transaction

from accounts.lookup import mobile_lookup_hash
from accounts.models import Membership, User
from tests.factories import MembershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_stored_lower_case():
    user = UserFactory(email="  Ann.Smith@Example.ORG ")

    user.refresh_from_db()
    assert user.email == "ann.smith@example.org"


def test_email_differing_only_in_case_is_refused_by_the_database():
    UserFactory(email="ann@example.org")

    # bulk_create skips save(), so only the database constraint stands in the way.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="ANN@Example.org", password="!")])

    assert User.objects.filter(email__iexact="ann@example.org").count() == 1


def test_email_case_change_through_update_is_refused_by_the_database():
    UserFactory(email="ann@example.org")
    other = UserFactory(email="bob@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=other.pk).update(email="Ann@Example.org")


def test_several_users_without_email_are_allowed():
    User.objects.bulk_create(
        [User(email=None, mobile="+447700900001", password="!") for _ in range(3)]
    )
    UserFactory(email=None)
    UserFactory(email="")

    assert User.objects.filter(email__isnull=True).count() == 5


def test_blank_email_string_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="", password="!")])


def test_mobile_hash_is_set_on_save():
    user = UserFactory(mobile="+447700900123")

    user.refresh_from_db()
    assert user.mobile_hash == mobile_lookup_hash("+447700900123")


def test_mobile_hash_follows_a_changed_mobile_even_with_update_fields():
    user = UserFactory(mobile="+447700900123")

    user.mobile = "+447700900456"
    user.save(update_fields=["mobile"])

    user.refresh_from_db()
    assert user.mobile_hash == mobile_lookup_hash("+447700900456")


def test_mobile_hash_is_cleared_with_the_mobile():
    user = UserFactory(mobile="+447700900123")

    user.mobile = ""
    user.save()

    user.refresh_from_db()
    assert user.mobile_hash == ""


def test_membership_is_unique_per_user_school_and_role():
    membership = MembershipFactory(role=Membership.Role.TEACHER)

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=membership.user, school=membership.school, role=Membership.Role.TEACHER
        )

    assert Membership.objects.filter(user=membership.user).count() == 1


def test_a_school_admin_may_also_teach_at_the_same_school():
    membership = MembershipFactory(role=Membership.Role.ADMIN)

    Membership.objects.create(
        user=membership.user, school=membership.school, role=Membership.Role.TEACHER
    )

    assert Membership.objects.filter(user=membership.user, school=membership.school).count() == 2


def test_one_user_may_be_staff_at_two_schools():
    membership = MembershipFactory()
    MembershipFactory(user=membership.user, school=SchoolFactory())

    assert Membership.objects.filter(user=membership.user).count() == 2


def test_membership_role_outside_admin_and_teacher_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(role="owner")


def test_email_lookup_for_sign_in_ignores_case():
    user = UserFactory(email="ann@example.org")

    assert User.objects.get_by_natural_key("ANN@example.ORG") == user
