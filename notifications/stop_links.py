"""Links that stop engagement messages in one tap, with no sign-in.

Each engagement email carries two: one stops its topic (``Topic``: new work,
reminders, awards) on every channel, the other every engagement email; its
``List-Unsubscribe`` header carries the second, for mail clients' one-click
unsubscribe (RFC 8058). Each engagement text carries a third, which stops every
engagement text.

A link names the account and what it stops, and is signed with ``SECRET_KEY``
(``SECRET_KEY_FALLBACKS`` still verify after a rotation) under a salt of its own,
so it is good for nothing else: not for signing in, not for another account, not
for stopping anything other than what it names. It does not expire: an old email
must still be able to stop the next one. It is short enough for a text: the
account's id, one letter for the scope and 96 bits of an HMAC-SHA256, as Django's
own password-reset tokens keep part of theirs.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from notifications.models import Topic

SALT = "notifications.stop_links"
SIGNATURE_BYTES = 12


class Scope:
    """What a stop link stops: one topic everywhere, or a whole channel."""

    EMAIL = "email"  # every engagement email
    SMS = "sms"  # every engagement text
    ALL = (Topic.NEW_WORK.value, Topic.REMINDERS.value, Topic.AWARDS.value, EMAIL, SMS)


# One letter per scope in the token; never change a letter, or old links break.
_LETTERS = {
    Topic.NEW_WORK.value: "n",
    Topic.REMINDERS.value: "r",
    Topic.AWARDS.value: "a",
    Scope.EMAIL: "e",
    Scope.SMS: "s",
}
_SCOPES = {letter: scope for scope, letter in _LETTERS.items()}


@dataclass(frozen=True)
class StopLink:
    user_id: int
    scope: str


def _signature(value: str, secret: str) -> str:
    digest = salted_hmac(SALT, value, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:SIGNATURE_BYTES]).decode().rstrip("=")


def stop_token(*, user_id: int, scope: str) -> str:
    """The signed token of a link that stops ``scope`` for the account ``user_id``."""
    value = f"{int_to_base36(user_id)}.{_LETTERS[scope]}"
    return f"{value}.{_signature(value, settings.SECRET_KEY)}"


def stop_token_read(token: str) -> StopLink | None:
    """What a token stops, or None if it is not one this portal signed."""
    user_part, _, rest = token.partition(".")
    letter, _, signature = rest.partition(".")
    if letter not in _SCOPES or not signature:
        return None
    try:
        user_id = base36_to_int(user_part)
    except ValueError:
        return None
    value = f"{user_part}.{letter}"
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    if not any(constant_time_compare(signature, _signature(value, secret)) for secret in secrets):
        return None
    return StopLink(user_id=user_id, scope=_SCOPES[letter])


def stop_url(*, user_id: int, scope: str) -> str:
    """The absolute address, on ``SITE_URL``, of the link that stops ``scope``."""
    path = reverse("notifications:stop", args=[stop_token(user_id=user_id, scope=scope)])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def settings_url() -> str:
    """The absolute address of the notification settings page (sign-in needed)."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('notifications:notification_preferences')}"
