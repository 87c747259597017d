"""The retention task erases a batch of accounts or pupils at once: the same outcome
and audit entries as one at a time, and one that fails falls back to one at a
time, fails alone and is retried on the next run."""

import pytest

from accounts.privacy import AccountCategory
from accounts.services import account_close
from audit.models import AuditEntry
from engagement.models import Event
from privacy.services import retention_run
from privacy.services.erasure_batches import pupils_anonymise, users_erase
from tests.factories import GuardianshipFactory, PupilFactory
from tests.privacy.retention_world import START, day, fresh, parent_last_active

pytestmark = pytest.mark.django_db


def _closed_parent(**kwargs):
    parent = parent_last_active(START, **kwargs)
    account_close(user=parent, actor=parent, reason="own_request", now=day(0))
    return parent


def _erasure_entry(user) -> dict:
    return AuditEntry.objects.get(action="user.erase", subject_id=str(user.pk)).changes


def test_one_account_that_fails_in_a_batch_leaves_the_others_erased_and_is_retried(
    monkeypatch,
):
    parents = [_closed_parent() for _ in range(3)]
    failing = parents[1]
    child = failing.guardianships.get().pupil
    Event.objects.create(kind="signed_in", actor=failing, pupil=child, school=child.school)
    real = AccountCategory._anonymise

    def failing_for_one(self, rows):
        if failing.pk in set(rows.values_list("pk", flat=True)):
            raise RuntimeError("database hiccup")
        return real(self, rows)

    monkeypatch.setattr(AccountCategory, "_anonymise", failing_for_one)
    run = retention_run(now=day(90), batch_size=10)

    assert run.counts["deletions"] == {"done": 2, "failed": 1}
    assert [fresh(parent).email is None for parent in parents] == [True, False, True]
    # Nothing of the failed one's erasure was kept: its events still name it.
    assert Event.objects.filter(actor=failing).exists()
    assert not AuditEntry.objects.filter(action="user.erase", subject_id=str(failing.pk)).exists()

    monkeypatch.setattr(AccountCategory, "_anonymise", real)
    again = retention_run(now=day(91), batch_size=10)

    assert again.counts["deletions"] == {"done": 1, "failed": 0}
    assert fresh(failing).email is None
    assert not Event.objects.filter(actor=failing).exists()
    assert AuditEntry.objects.filter(action="user.erase").count() == 3


def test_a_batch_records_what_one_at_a_time_would():
    shared = PupilFactory(removed_by_school_at=day(0))
    first = _closed_parent(child=shared)
    second = _closed_parent(child=shared)
    GuardianshipFactory(parent=second, pupil=PupilFactory(school=shared.school))
    on_roll = second.guardianships.exclude(pupil=shared).get().pupil

    counts = users_erase(users=[second, first], actor=None, reason="hold_expired")

    assert fresh(shared).anonymised_at is not None
    assert fresh(on_roll).anonymised_at is None
    # The child both held is anonymised once, in the first account's entry.
    assert _erasure_entry(first)["children_anonymised"] == [shared.pk]
    assert _erasure_entry(second)["children_anonymised"] == []
    assert _erasure_entry(second)["children_kept"] == [on_roll.pk]
    assert counts[first.pk]["children_anonymised"] == 1
    assert counts[first.pk]["account"] == counts[second.pk]["account"] == 1
    assert AuditEntry.objects.filter(action="pupil.anonymise").count() == 1


def test_a_batch_of_pupils_erases_the_contacts_named_for_each_alone():
    pupils = [PupilFactory(removed_by_school_at=day(0)) for _ in range(2)]
    contact = GuardianshipFactory(pupil=pupils[0], confirmed_at=None).parent
    contact.set_unusable_password()
    contact.is_active = False
    contact.last_login = None
    contact.save()

    counts = pupils_anonymise(pupils=pupils, actor=None, reason="both_removed")

    assert all(fresh(pupil).anonymised_at is not None for pupil in pupils)
    assert counts[pupils[0].pk]["contacts_erased"] == 1
    assert counts[pupils[1].pk]["contacts_erased"] == 0
    assert fresh(contact).email is None and fresh(contact).closed_at is not None
    assert _erasure_entry(contact)["pupil"] == pupils[0].pk
    assert AuditEntry.objects.filter(action="pupil.anonymise").count() == 2

    again = pupils_anonymise(pupils=pupils, actor=None, reason="both_removed")

    assert not any(any(rows.values()) for rows in again.values())
    assert AuditEntry.objects.filter(action="pupil.anonymise").count() == 2
