from datetime import timedelta
from io import StringIO

import factory
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consent.models import ConsentRecord, LedgerImmutableError, Method, PrivacyNotice, Purpose
from consent.selectors import consent_current, consents_for_user, user_needs_reconsent
from consent.services import (
    NoticeAlreadyPublishedError,
    consent_grant,
    consent_records_erase,
    consent_withdraw,
    notice_publish,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PLATFORM_WORDING = "I agree to the portal processing my data as the privacy notice describes."
MARKETING_WORDING = "Send me occasional news about the programme by email."


class PrivacyNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyNotice

    version = factory.Sequence(lambda n: f"1.{n}")
    text = "How the portal uses your data."
    summary_of_changes = "First version."


def published_notice(**kwargs) -> PrivacyNotice:
    staff = UserFactory(is_staff=True)
    return notice_publish(notice=PrivacyNoticeFactory(**kwargs), actor=staff)


def grant_platform(user, notice, method=Method.REGISTRATION) -> ConsentRecord:
    return consent_grant(
        user=user, purpose=Purpose.PLATFORM, wording=PLATFORM_WORDING, method=method, notice=notice
    )


def run_check() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("check_consent_ledger", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_check_expecting_failure() -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("check_consent_ledger", stdout=out, stderr=err)
    return err.getvalue()


def test_no_record_means_no_consent():
    user = UserFactory()
    assert consent_current(user=user, purpose=Purpose.MARKETING_EMAIL) is False
    assert all(state.granted is False for state in consents_for_user(user=user))


def test_grant_then_withdraw_changes_the_current_state_and_keeps_both_records():
    user = UserFactory()
    consent_grant(
        user=user,
        purpose=Purpose.MARKETING_EMAIL,
        wording=MARKETING_WORDING,
        method=Method.SETTINGS,
    )
    assert consent_current(user=user, purpose=Purpose.MARKETING_EMAIL) is True

    consent_withdraw(
        user=user,
        purpose=Purpose.MARKETING_EMAIL,
        wording=MARKETING_WORDING,
        method=Method.SETTINGS,
    )
    assert consent_current(user=user, purpose=Purpose.MARKETING_EMAIL) is False
    assert list(
        ConsentRecord.objects.filter(user=user).order_by("id").values_list("granted", flat=True)
    ) == [True, False]


def test_newest_record_wins_even_after_many_changes():
    user = UserFactory()
    for _ in range(3):
        consent_withdraw(
            user=user, purpose=Purpose.MEDIA_PROMOTION, wording="Use photos", method="settings"
        )
        consent_grant(
            user=user, purpose=Purpose.MEDIA_PROMOTION, wording="Use photos", method="settings"
        )
    assert consent_current(user=user, purpose=Purpose.MEDIA_PROMOTION) is True
    # Other purposes are untouched.
    assert consent_current(user=user, purpose=Purpose.MARKETING_EMAIL) is False


def test_consent_record_keeps_the_wording_notice_and_method():
    notice = published_notice()
    user = UserFactory()
    record = grant_platform(user, notice)
    record.refresh_from_db()
    assert record.wording == PLATFORM_WORDING
    assert len(record.wording_hash) == 64
    assert record.notice == notice
    assert record.method == Method.REGISTRATION


def test_consent_cannot_be_recorded_against_a_draft_notice():
    with pytest.raises(ValueError):
        grant_platform(UserFactory(), PrivacyNoticeFactory())
    assert not ConsentRecord.objects.exists()


def test_unknown_purpose_is_refused():
    with pytest.raises(ValueError):
        consent_grant(user=UserFactory(), purpose="selling_data", wording="x", method="settings")
    assert not ConsentRecord.objects.exists()


def test_records_cannot_be_updated_by_save():
    record = consent_grant(
        user=UserFactory(), purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings"
    )
    record.granted = False
    with pytest.raises(LedgerImmutableError):
        record.save()
    assert ConsentRecord.objects.get(pk=record.pk).granted is True


def test_records_cannot_be_created_around_the_service():
    user = UserFactory()
    with pytest.raises(LedgerImmutableError):
        ConsentRecord(
            user=user, purpose=Purpose.PLATFORM, granted=True, wording="x", method="settings"
        ).save()
    with pytest.raises(LedgerImmutableError):
        ConsentRecord.objects.bulk_create(
            [ConsentRecord(user=user, purpose=Purpose.PLATFORM, granted=True, wording="x")]
        )
    assert not ConsentRecord.objects.exists()


def test_records_cannot_be_deleted_by_delete_or_queryset():
    record = consent_grant(
        user=UserFactory(), purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings"
    )
    with pytest.raises(LedgerImmutableError):
        record.delete()
    with pytest.raises(LedgerImmutableError):
        ConsentRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(LedgerImmutableError):
        ConsentRecord.objects.filter(pk=record.pk).update(granted=False)
    stored = ConsentRecord.objects.get(pk=record.pk)
    assert stored.granted is True


def test_a_user_with_consent_records_cannot_be_deleted_directly():
    from django.db.models import ProtectedError

    user = UserFactory()
    consent_grant(user=user, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings")
    with pytest.raises(ProtectedError):
        user.delete()
    assert ConsentRecord.objects.filter(user=user).count() == 1


def test_erasure_removes_only_that_users_records():
    erased, kept = UserFactory(), UserFactory()
    for user in (erased, kept):
        consent_grant(user=user, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings")
        consent_withdraw(user=user, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings")

    assert consent_records_erase(user=erased) == 2

    assert not ConsentRecord.objects.filter(user=erased).exists()
    assert ConsentRecord.objects.filter(user=kept).count() == 2
    erased.delete()  # nothing protects the user any more
    out, _ = run_check()
    assert "Checked 1 chains, 2 records." in out


def test_each_record_links_to_the_users_previous_record():
    user = UserFactory()
    notice = published_notice()
    first = grant_platform(user, notice)
    second = consent_grant(
        user=user, purpose=Purpose.MARKETING_EMAIL, wording=MARKETING_WORDING, method="settings"
    )
    third = consent_withdraw(
        user=user, purpose=Purpose.MARKETING_EMAIL, wording=MARKETING_WORDING, method="settings"
    )
    assert first.previous_hash == ""
    assert second.previous_hash == first.record_hash
    assert third.previous_hash == second.record_hash
    assert len({first.record_hash, second.record_hash, third.record_hash}) == 3


def test_two_users_chains_are_independent():
    alice, bob = UserFactory(), UserFactory()
    alice_first = consent_grant(
        user=alice, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings"
    )
    bob_first = consent_grant(
        user=bob, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings"
    )
    alice_second = consent_withdraw(
        user=alice, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings"
    )
    assert bob_first.previous_hash == ""
    assert alice_second.previous_hash == alice_first.record_hash

    out, err = run_check()
    assert "Checked 2 chains, 3 records." in out
    assert err == ""


def test_check_passes_on_an_intact_ledger():
    notice = published_notice()
    for _ in range(3):
        user = UserFactory()
        grant_platform(user, notice)
        consent_grant(user=user, purpose=Purpose.COOKIES_FUNCTIONAL, wording="x", method="banner")
    out, err = run_check()
    assert "Checked 3 chains, 6 records." in out
    assert "intact" in out
    assert err == ""


def _raw_update(sql: str, params: list) -> None:
    table = ConsentRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def test_check_detects_a_record_changed_with_raw_sql_and_names_it():
    user, other = UserFactory(), UserFactory()
    consent_grant(user=user, purpose=Purpose.MEDIA_PROMOTION, wording="x", method="settings")
    withdrawal = consent_withdraw(
        user=user, purpose=Purpose.MEDIA_PROMOTION, wording="x", method="settings"
    )
    consent_grant(user=user, purpose=Purpose.MARKETING_EMAIL, wording="y", method="settings")
    consent_grant(user=other, purpose=Purpose.MEDIA_PROMOTION, wording="x", method="settings")

    # Someone with database access turns the withdrawal back into a grant.
    _raw_update("UPDATE {table} SET granted = %s WHERE id = %s", [True, withdrawal.pk])
    assert consent_current(user=user, purpose=Purpose.MEDIA_PROMOTION) is True

    err = run_check_expecting_failure()
    assert f"user {user.pk}: consent record {withdrawal.pk} " in err
    assert "do not match its hash" in err
    assert f"user {other.pk}" not in err
    # Only the first broken record of the chain is named.
    assert err.count(f"user {user.pk}:") == 1


def test_check_detects_changed_wording():
    user = UserFactory()
    record = consent_grant(
        user=user, purpose=Purpose.MARKETING_EMAIL, wording="Send me news", method="settings"
    )
    _raw_update("UPDATE {table} SET wording = %s WHERE id = %s", ["Sell my data", record.pk])
    err = run_check_expecting_failure()
    assert f"consent record {record.pk} its wording does not match" in err


def test_check_detects_a_deleted_middle_record():
    user = UserFactory()
    consent_grant(user=user, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings")
    middle = consent_withdraw(
        user=user, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings"
    )
    last = consent_grant(user=user, purpose=Purpose.MEDIA_PROMOTION, wording="x", method="settings")

    _raw_update("DELETE FROM {table} WHERE id = %s", [middle.pk])

    err = run_check_expecting_failure()
    assert f"user {user.pk}: consent record {last.pk} does not link" in err


def test_check_reports_each_broken_chain():
    first_user, second_user = UserFactory(), UserFactory()
    first = consent_grant(
        user=first_user, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings"
    )
    second = consent_grant(
        user=second_user, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings"
    )
    _raw_update("UPDATE {table} SET method = %s", ["registration"])
    err = run_check_expecting_failure()
    assert f"consent record {first.pk} " in err
    assert f"consent record {second.pk} " in err


def test_reconsent_is_needed_after_a_notice_requiring_it_and_cleared_by_a_new_grant():
    first_notice = published_notice()
    user = UserFactory()
    grant_platform(user, first_notice)
    assert user_needs_reconsent(user=user) is False

    # A draft notice changes nothing until it is published.
    draft = PrivacyNoticeFactory(requires_reconsent=True)
    assert user_needs_reconsent(user=user) is False

    new_notice = notice_publish(notice=draft, actor=UserFactory(is_staff=True))
    assert PrivacyNotice.current() == new_notice
    assert user_needs_reconsent(user=user) is True

    grant_platform(user, new_notice, method=Method.RECONSENT)
    assert user_needs_reconsent(user=user) is False


def test_a_notice_not_requiring_reconsent_does_not_ask_for_it():
    user = UserFactory()
    grant_platform(user, published_notice())
    published_notice(requires_reconsent=False)
    assert user_needs_reconsent(user=user) is False


def test_a_skipped_reconsent_notice_is_still_owed_after_a_later_minor_notice():
    user = UserFactory()
    grant_platform(user, published_notice())
    published_notice(requires_reconsent=True)
    published_notice(requires_reconsent=False)
    assert user_needs_reconsent(user=user) is True


def test_user_without_platform_consent_is_not_asked_to_reconsent():
    published_notice(requires_reconsent=True)
    assert user_needs_reconsent(user=UserFactory(is_staff=True)) is False


def test_current_notice_is_the_newest_published_one():
    assert PrivacyNotice.current() is None
    older = published_notice()
    newer = published_notice()
    PrivacyNoticeFactory()  # a draft
    PrivacyNotice.objects.filter(pk=older.pk).update(
        published_at=newer.published_at - timedelta(days=30)
    )
    assert PrivacyNotice.current() == newer


def test_a_notice_is_published_once():
    staff = UserFactory(is_staff=True)
    notice = notice_publish(notice=PrivacyNoticeFactory(), actor=staff)
    first_published_at = notice.published_at
    with pytest.raises(NoticeAlreadyPublishedError):
        notice_publish(notice=notice, actor=staff)
    notice.refresh_from_db()
    assert notice.published_at == first_published_at
    assert notice.published_by == staff


def test_consents_for_user_lists_every_purpose_with_when_and_how():
    notice = published_notice()
    user = UserFactory()
    before = timezone.now()
    grant_platform(user, notice)
    consent_grant(user=user, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings")
    consent_withdraw(user=user, purpose=Purpose.MARKETING_EMAIL, wording="x", method="banner")

    states = {state.purpose: state for state in consents_for_user(user=user)}

    assert list(states) == list(Purpose.values)
    assert states[Purpose.PLATFORM].granted is True
    assert states[Purpose.PLATFORM].method == Method.REGISTRATION
    assert states[Purpose.PLATFORM].notice_version == notice.version
    assert states[Purpose.PLATFORM].changed_at >= before
    assert states[Purpose.MARKETING_EMAIL].granted is False
    assert states[Purpose.MARKETING_EMAIL].method == Method.BANNER
    assert states[Purpose.MEDIA_PROMOTION].granted is False
    assert states[Purpose.MEDIA_PROMOTION].changed_at is None


def _count_consents_for_user_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        consents_for_user(user=user)
    return len(queries)


def test_consents_for_user_query_count_does_not_grow_with_records():
    notice = published_notice()
    one, many = UserFactory(), UserFactory()
    grant_platform(one, notice)
    grant_platform(many, notice)
    purposes = list(Purpose.values)
    for index in range(19):
        consent_grant(
            user=many, purpose=purposes[index % len(purposes)], wording="x", method="settings"
        )
    assert ConsentRecord.objects.filter(user=many).count() == 20

    assert _count_consents_for_user_queries(one) == 1
    assert _count_consents_for_user_queries(many) == 1
