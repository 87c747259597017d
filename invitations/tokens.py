"""Invitation links and how messages name them.

A token is random and only its SHA-256 is stored, so a database copy holds no
usable link. The one-time codes that prove a claim to the invited contact are
kept only as a keyed hash too. Each message an invitation sends carries the reference
``invitation:<pk>`` and an idempotency key naming the token it carries, so a
resend or a reminder (a new link) is a new message.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

REFERENCE_PREFIX = "invitation:"
CLAIM_CODE_DIGITS = 6
CLAIM_CODE_SALT = "invitations.claim_code"


def invitation_valid_for() -> timedelta:
    return settings.INVITATION_VALID_FOR


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(24)
    return token, token_digest(token)


def invitation_link(token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/invitations/{token}/"


def invitation_reference(invitation_id: int) -> str:
    """The ``Message.reference`` of the messages an invitation sends."""
    return f"{REFERENCE_PREFIX}{invitation_id}"


def invitation_id_from_reference(reference: str) -> int | None:
    """The invitation a ``Message.reference`` names, or None for anything else."""
    if not reference.startswith(REFERENCE_PREFIX):
        return None
    number = reference.removeprefix(REFERENCE_PREFIX)
    return int(number) if number.isdigit() else None


def message_key(token_hash: str, channel: str) -> str:
    """Idempotency key of the message carrying one link on one channel: the link,
    not the invitation, so a resend or reminder (a new link) is a new message."""
    return f"{message_key_prefix(token_hash)}{channel}"


def message_key_prefix(token_hash: str) -> str:
    return f"invitation:{token_hash}:"


def new_claim_code() -> str:
    """Six random digits, leading zeros kept."""
    return f"{secrets.randbelow(10**CLAIM_CODE_DIGITS):0{CLAIM_CODE_DIGITS}d}"


def claim_code_digest(code: str, *, link_hash: str) -> str:
    """A keyed hash of a code (the key is the site's secret): a copy of the
    database cannot be tried against the million six-digit codes."""
    return salted_hmac(CLAIM_CODE_SALT, f"{link_hash}:{code}", algorithm="sha256").hexdigest()


def claim_code_matches(code: str, *, link_hash: str, digest: str) -> bool:
    return constant_time_compare(claim_code_digest(code, link_hash=link_hash), digest)


def claim_code_message_key(claim_code_id: int, channel: str) -> str:
    """Idempotency key of the message carrying one claim code on one channel."""
    return f"invitation-code:{claim_code_id}:{channel}"


def claim_code_reference(invitation_id: int) -> str:
    """The ``Message.reference`` of a claim code's messages: not ``invitation:<pk>``,
    so an invitation's status never follows them."""
    return f"invitation-code:{invitation_id}"
