"""The retention task's writes to accounts: closure notices, and the end of a
closed account's hold once its data is deleted.

Closure notices tell an inactive parent, once, that their account will close.

A notice is one service message per channel the parent has (email, text), queued
in the same transaction that records it on the account (``closure_notice_at``),
so either both happen or neither does. Each message's idempotency key names the
account and the inactive spell (its last activity), so a rerun, two runs at once
or a worker that dies after writing cannot send a second notice for the same
spell; a parent who comes back and later goes quiet again gets a new one.

Being active again cancels the notice: ``engagement.services.last_active_update``
clears the field in the same UPDATE that notes the activity, and calls
``closure_notice_messages_cancel`` to take back a message not sent yet.

The task itself (``privacy.services.retention``) decides when; the accounts due
are ``accounts.selectors.accounts_due_closure_notice`` and the others there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone

from accounts.models import User
from accounts.names import ascii_only
from accounts.selectors import accounts_due_closure_notice, closure_date, sender_names_of
from audit.services import audit_record
from notifications.models import Message
from notifications.services import OutgoingMessage, messages_cancel_superseded, messages_queue

TEMPLATE = "account_closing"


def closure_notice_reference(user_id: int) -> str:
    return f"closure-notice:{user_id}"


def _sign_in_link() -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('account_login')}"


def _messages(users: Iterable[User]) -> Iterator[OutgoingMessage]:
    link = _sign_in_link()
    users = list(users)
    senders = sender_names_of(user_ids=[user.pk for user in users])
    for user in users:
        closes_on = closure_date(activity=user.activity, notice_at=user.notice_at)
        local = timezone.localtime(closes_on)
        context = {
            "parent_name": user.get_short_name(),
            "school_name": senders[user.pk],
            "closes_on": formats.date_format(local, "l j F Y"),
            "sign_in_link": link,
        }
        spell = f"closure-notice:user-{user.pk}:{int(user.activity.timestamp())}"
        addresses = {Message.Channel.EMAIL: user.email, Message.Channel.SMS: user.mobile}
        for channel in (channel for channel, address in addresses.items() if address):
            yield OutgoingMessage(
                recipient=user,
                channel=channel,
                template=TEMPLATE,
                context=context,
                # A long school name: the text gives the date, then the name, shorter.
                shorter_contexts=[
                    {**context, "closes_on": formats.date_format(local, "j M Y")},
                    {
                        **context,
                        "closes_on": formats.date_format(local, "j M Y"),
                        "school_name": ascii_only(context["school_name"])[:40],
                    },
                ],
                idempotency_key=f"{spell}:{channel}",
                kind=Message.Kind.SERVICE,
                reference=closure_notice_reference(user.pk),
            )


@transaction.atomic
def closure_notices_send(*, user_ids: Iterable[int], now: datetime | None = None) -> int:
    """Send the closure notice to each of these accounts still due for one at
    ``now``; returns how many were noticed.

    The accounts are locked first; one another run holds is skipped (that run is
    noticing it). A constant number of statements whatever the number of
    accounts: pass them in batches. An account with neither an email address nor
    a mobile is recorded as noticed all the same, so it still closes on time.
    """
    now = now or timezone.now()
    users = list(
        accounts_due_closure_notice(now=now)
        .filter(pk__in=list(user_ids))
        .select_for_update(skip_locked=True)
        .order_by("pk")
    )
    if not users:
        return 0
    for user in users:
        user.notice_at = now
    queued = messages_queue(messages=_messages(users))
    noticed = [user.pk for user in users]
    User.objects.filter(pk__in=noticed).update(closure_notice_at=now)
    audit_record(
        actor=None,
        action="users.closure_notice",
        changes={"users": noticed, "noticed": len(noticed), "messages": len(queued)},
    )
    return len(noticed)


@transaction.atomic
def closure_notice_messages_cancel(*, user: User) -> int:
    """Take back the closure notice messages still waiting for ``user`` (who is
    active again); returns how many. A message being sent at this moment is
    skipped rather than waited for."""
    return messages_cancel_superseded(references=[closure_notice_reference(user.pk)])


@transaction.atomic
def closure_notice_cancel(*, user: User) -> int:
    """``user`` is active again: forget their closure notice and take back its
    messages not sent yet; returns how many messages were cancelled."""
    User.objects.filter(pk=user.pk, closure_notice_at__isnull=False).update(closure_notice_at=None)
    user.closure_notice_at = None
    return closure_notice_messages_cancel(user=user)


def account_hold_end(*, user: User) -> None:
    """The closed account's data has been deleted after its hold: it is no longer
    due for deletion (``delete_after`` cleared; ``closed_at`` stays)."""
    User.objects.filter(pk=user.pk).update(delete_after=None)
    user.delete_after = None


def accounts_hold_end(*, users: list[User]) -> None:
    """``account_hold_end`` for several accounts at once, in one UPDATE."""
    User.objects.filter(pk__in=[user.pk for user in users]).update(delete_after=None)
    for user in users:
        user.delete_after = None
