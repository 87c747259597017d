"""Reads of a user's own sign-in set-up: their confirmed authenticator apps."""

from __future__ import annotations

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticators_of(*, user) -> QuerySet[TOTPDevice]:
    """The user's confirmed authenticator apps (one at a time, in practice)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def has_authenticator(*, user) -> bool:
    return authenticators_of(user=user).exists()
