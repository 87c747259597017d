"""Deleting on time: a closed account is erased when its 90-day hold ends, and a
pupil the school removed and no open parent holds is anonymised 90 days after
the later of the two. Outcomes only (names, contacts and UPN gone), at 89, 90
and 91 days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.services import account_close, account_restore
from audit.models import AuditEntry
from privacy.services import retention_run
from schools.models import Guardianship, Pupil
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory
from tests.privacy.retention_world import START, day, fresh, parent_last_active

pytestmark = pytest.mark.django_db


def _erased(user: User) -> bool:
    user = fresh(user)
    return (
        not user.is_active
        and user.email is None
        and user.first_name == user.last_name == user.mobile == ""
    )


def _anonymised(pupil: Pupil) -> bool:
    pupil = fresh(pupil)
    return (
        pupil.anonymised_at is not None
        and pupil.first_name == pupil.last_name == pupil.upn == ""
        and not Guardianship.objects.filter(pupil=pupil).exists()
    )


def _removed_pupil(at) -> Pupil:
    return PupilFactory(removed_by_school_at=at)


# --- A closed account, after its hold -------------------------------------------


def test_a_closed_account_is_deleted_90_days_after_closing_and_not_a_day_before():
    parent = parent_last_active(START)
    email = parent.email
    account_close(user=parent, actor=parent, reason="own_request", now=day(0))

    retention_run(now=day(89, hours=23))
    assert not _erased(parent)

    run = retention_run(now=day(90))

    assert _erased(parent)
    assert run.counts["deletions"] == {"done": 1, "failed": 0}
    assert not User.objects.filter(email=email).exists()
    assert fresh(parent).closed_at == day(0)


def test_a_deleted_account_is_not_deleted_again():
    parent = parent_last_active(START)
    account_close(user=parent, actor=parent, reason="own_request", now=day(0))
    retention_run(now=day(90))

    again = retention_run(now=day(90, hours=5))
    later = retention_run(now=day(91))

    assert again.counts["deletions"]["done"] == later.counts["deletions"]["done"] == 0
    assert AuditEntry.objects.filter(action="user.erase").count() == 1


def test_an_account_restored_within_the_hold_is_not_deleted():
    parent = parent_last_active(timezone.now() - timedelta(days=1))
    account_close(user=parent, actor=parent, reason="own_request")
    account_restore(user=parent, actor=UserFactory(is_staff=True))

    retention_run(now=timezone.now() + timedelta(days=200))

    assert fresh(parent).email is not None
    assert fresh(parent).is_active


def test_an_inactive_parent_is_noticed_closed_and_then_deleted():
    parent = parent_last_active(START)
    retention_run(now=day(335))
    retention_run(now=day(365))

    retention_run(now=day(365 + 89))
    assert not _erased(parent)
    retention_run(now=day(365 + 90))
    assert _erased(parent)


def test_deleting_a_parent_anonymises_a_child_no_one_else_holds():
    child = _removed_pupil(START)
    parent = parent_last_active(START, child=child)
    account_close(user=parent, actor=parent, reason="own_request", now=day(0))

    retention_run(now=day(90))

    assert _erased(parent)
    assert _anonymised(child)


# --- A pupil both the school and the parents have left -------------------------------


def test_a_removed_pupil_without_a_parent_is_anonymised_at_90_days():
    pupil = _removed_pupil(day(0))
    GuardianshipFactory(pupil=pupil, confirmed_at=None)  # imported, never joined

    retention_run(now=day(89, hours=23))
    assert not _anonymised(pupil)

    run = retention_run(now=day(90))
    assert _anonymised(pupil)
    assert run.counts["pupils"] == {"done": 1, "failed": 0}

    again = retention_run(now=day(91))
    assert again.counts["pupils"]["done"] == 0
    assert AuditEntry.objects.filter(action="pupil.anonymise").count() == 1


def test_a_pupil_on_roll_is_never_anonymised_by_the_task():
    pupil = PupilFactory()

    retention_run(now=day(1000))

    assert fresh(pupil).anonymised_at is None


def test_the_last_parent_link_ending_after_the_removal_starts_the_90_days():
    pupil = _removed_pupil(day(0))
    parent = parent_last_active(timezone.now(), child=pupil)
    Guardianship.objects.filter(pupil=pupil, parent=parent).update(ended_at=day(30))

    retention_run(now=day(119, hours=23))
    assert not _anonymised(pupil)
    retention_run(now=day(120))
    assert _anonymised(pupil)


def test_a_second_parent_closing_later_moves_the_date():
    pupil = _removed_pupil(day(0))
    first = parent_last_active(timezone.now(), child=pupil)
    second = parent_last_active(timezone.now(), child=pupil)
    # The first parent's link ends on day 5; the second closes their account on day 20.
    Guardianship.objects.filter(pupil=pupil, parent=first).update(ended_at=day(5))
    User.objects.filter(pk=second.pk).update(
        closed_at=day(20), delete_after=day(1000), is_active=False
    )

    retention_run(now=day(95))
    retention_run(now=day(109, hours=23))
    assert not _anonymised(pupil)

    run = retention_run(now=day(110))
    assert run.counts["pupils"]["done"] == 1
    assert _anonymised(pupil)


def test_a_child_another_open_parent_holds_is_never_anonymised():
    pupil = _removed_pupil(START)
    leaving = parent_last_active(timezone.now(), child=pupil)
    staying = parent_last_active(timezone.now(), child=pupil)
    account_close(user=leaving, actor=leaving, reason="own_request", now=day(0))

    retention_run(now=day(90))
    retention_run(now=day(91))

    assert _erased(leaving)
    pupil = fresh(pupil)
    assert pupil.anonymised_at is None and pupil.first_name != ""
    assert Guardianship.objects.filter(pupil=pupil, parent=staying).exists()


def _imported_contact(pupil, **fields) -> User:
    contact = UserFactory(is_active=False, last_login=None, mobile="+447700900789", **fields)
    contact.set_unusable_password()
    contact.save()
    GuardianshipFactory(pupil=pupil, parent=contact, confirmed_at=None)
    return contact


def test_a_child_whose_parent_never_joined_is_not_held_by_that_parent():
    """An unconfirmed link (a contact imported from the roster) is no open parent;
    the contact's details go with the child, since no child is linked to them."""
    pupil = _removed_pupil(day(0))
    contact = _imported_contact(pupil)
    sibling_on_roll = PupilFactory()
    contact_of_both = _imported_contact(pupil)
    GuardianshipFactory(pupil=sibling_on_roll, parent=contact_of_both, confirmed_at=None)

    retention_run(now=day(89))
    assert fresh(contact).email is not None

    run = retention_run(now=day(90))

    assert run.error == ""
    assert _anonymised(pupil)
    # Erased with the child, or by the step for contacts left with no child.
    assert _erased(contact)
    assert fresh(contact_of_both).email is not None
    assert retention_run(now=day(91)).counts["contacts"]["done"] == 0


def test_a_staff_member_removed_from_a_school_is_not_an_unused_contact():
    former_teacher = UserFactory(last_login=timezone.now())
    never_signed_in_staff = UserFactory(is_staff=True, is_active=False, last_login=None)
    never_signed_in_staff.set_unusable_password()
    never_signed_in_staff.save()

    retention_run(now=timezone.now())

    assert fresh(former_teacher).email is not None
    assert fresh(never_signed_in_staff).email is not None
