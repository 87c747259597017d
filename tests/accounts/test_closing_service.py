"""Closing an account: sign-in stops and every session ends at once, pending
messages are cancelled, data is held 90 days; platform staff can restore it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import ClosingError, account_close, account_restore
from audit.models import AuditEntry
from notifications.models import Message
from tests.factories import GuardianshipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-parent-password-7"


@pytest.fixture
def parent():
    link = GuardianshipFactory()
    link.parent.set_password(PASSWORD)
    link.parent.save()
    return link.parent


def test_closing_ends_every_session_and_refuses_sign_in(client, parent):
    other = client.__class__()
    for each in (client, other):
        assert each.post(reverse("account_login"), {"login": parent.email, "password": PASSWORD})
        assert each.get(reverse("accounts:settings")).status_code == 200

    assert account_close(user=parent, actor=parent, reason="own_request")

    for each in (client, other):
        assert each.get(reverse("accounts:settings")).status_code == 302
    fresh = client.__class__()
    fresh.post(reverse("account_login"), {"login": parent.email, "password": PASSWORD})
    assert fresh.get(reverse("accounts:settings")).status_code == 302


def test_closing_cancels_pending_messages_and_holds_data_for_90_days(parent):
    Message.objects.create(
        recipient=parent,
        channel="email",
        template="t",
        subject="s",
        body_text="b",
        to_address=parent.email,
        idempotency_key="closing-test",
        status=Message.Status.PENDING,
    )
    before = timezone.now()

    account_close(user=parent, actor=None, reason="inactive")

    parent.refresh_from_db()
    assert not parent.is_active
    assert parent.closed_at >= before
    assert parent.delete_after - parent.closed_at == timedelta(days=90)
    assert parent.first_name  # held, not yet deleted
    assert not Message.objects.filter(recipient=parent, status=Message.Status.PENDING).exists()
    entry = AuditEntry.objects.get(action="user.close")
    assert entry.actor is None
    assert entry.changes["reason"] == "inactive"
    assert entry.changes["messages_cancelled"] == 1


def test_closing_twice_changes_nothing(parent):
    assert account_close(user=parent, actor=parent, reason="own_request")
    assert not account_close(user=parent, actor=parent, reason="own_request")
    assert AuditEntry.objects.filter(action="user.close").count() == 1


def test_restoring_within_the_hold_reopens_the_account(client, parent):
    staff = UserFactory(is_staff=True)
    account_close(user=parent, actor=parent, reason="own_request")

    account_restore(user=parent, actor=staff)

    parent.refresh_from_db()
    assert parent.is_active and parent.closed_at is None and parent.delete_after is None
    assert AuditEntry.objects.filter(action="user.restore", actor=staff).count() == 1
    client.post(reverse("account_login"), {"login": parent.email, "password": PASSWORD})
    assert client.get(reverse("accounts:settings")).status_code == 200


def test_an_open_account_or_one_past_its_hold_cannot_be_restored(parent):
    staff = UserFactory(is_staff=True)
    with pytest.raises(ClosingError):
        account_restore(user=parent, actor=staff)
    account_close(
        user=parent, actor=parent, reason="own_request", now=timezone.now() - timedelta(days=91)
    )
    with pytest.raises(ClosingError):
        account_restore(user=parent, actor=staff)
