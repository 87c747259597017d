"""Reads of a user's own account: their authenticator apps and how long a wrong
code locks them, what the account settings page shows, the schools a closed
account can ask to have it restored, and platform staff finding one closed account."""

from __future__ import annotations

import math
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import is_parent, requires_two_factor
from accounts.lookup import mobile_lookup_hash, normalise_email
from accounts.models import MobileChange, User
from schools.models import School


def authenticators_of(*, user) -> QuerySet[TOTPDevice]:
    """The user's confirmed authenticator apps (one at a time, in practice)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def has_authenticator(*, user) -> bool:
    return authenticators_of(user=user).exists()


def devices_for_code(*, user, token: str) -> list:
    """The user's devices a code can be for: six digits come from the app, anything
    else is a backup code. Trying a code only on its own kind of device keeps a
    mistyped app code from locking the backup codes, and the reverse."""
    if token.isdigit() and len(token) == 6:
        return list(authenticators_of(user=user))
    return list(StaticDevice.objects.filter(user=user, confirmed=True))


def second_factor_wait_seconds(*, user, token: str) -> int:
    """Seconds before ``token``'s kind of device accepts another code: after wrong
    codes django-otp locks a device for 1, 2, 4, 8... seconds. 0 when it may be
    tried now."""
    waits = []
    now = timezone.now()
    for device in devices_for_code(user=user, token=token):
        allowed, details = device.verify_is_allowed()
        if allowed:
            return 0
        locked_until = (details or {}).get("locked_until")
        if locked_until is not None:
            waits.append(max(math.ceil((locked_until - now).total_seconds()), 1))
    return min(waits) if waits else 0


@dataclass(frozen=True)
class AccountSettings:
    """What the account settings page shows besides the user's own fields."""

    pending_email: str | None
    pending_mobile: str | None
    other_sessions: int
    staff: bool
    # A parent (a confirmed link to a child): may restrict how their data is used.
    parent: bool


def account_settings_for(*, user, session_key: str | None) -> AccountSettings:
    pending_email = (
        EmailAddress.objects.filter(user=user, verified=False)
        .order_by("-pk")
        .values_list("email", flat=True)
        .first()
    )
    pending_mobile = (
        MobileChange.objects.filter(user=user, expires_at__gt=timezone.now())
        .values_list("mobile", flat=True)
        .first()
    )
    return AccountSettings(
        pending_email=pending_email,
        pending_mobile=pending_mobile,
        other_sessions=UserSession.objects.filter(user=user)
        .exclude(session_key=session_key)
        .count(),
        staff=requires_two_factor(user),
        parent=is_parent(user),
    )


def pending_mobile_change(*, user) -> MobileChange | None:
    return MobileChange.objects.filter(user=user, expires_at__gt=timezone.now()).first()


def schools_of_account(*, user) -> list[School]:
    """The schools of the person's children (removed by the school included) and
    the schools they staff, whatever the state of their account: the places a
    closed account's holder can ask about restoring it. Contact details only."""
    return list(
        School.objects.filter(
            Q(
                pupils__guardianships__parent=user,
                pupils__guardianships__confirmed_at__isnull=False,
                pupils__guardianships__ended_at__isnull=True,
            )
            | Q(memberships__user=user)
        )
        .distinct()
        .only("name", "parent_facing_name", "contact_email", "contact_phone")
        .order_by("name")
    )


@dataclass(frozen=True)
class ClosedAccountMatch:
    """The one closed account found, or None; ``several`` when the contact matched
    more than one (a shared mobile), so none is shown."""

    account: User | None
    several: bool = False


def closed_account_find(
    *, email: str | None = None, mobile: str | None = None
) -> ClosedAccountMatch:
    """The closed account whose email is exactly ``email`` (any case), or whose
    mobile is ``mobile`` (E.164): at most one, never a list."""
    if email:
        found = User.objects.filter(closed_at__isnull=False, email__iexact=normalise_email(email))
    elif mobile:
        found = User.objects.filter(closed_at__isnull=False, mobile_hash=mobile_lookup_hash(mobile))
    else:
        return ClosedAccountMatch(account=None)
    matches = list(found.order_by("pk")[:2])
    if len(matches) > 1:
        return ClosedAccountMatch(account=None, several=True)
    return ClosedAccountMatch(account=matches[0] if matches else None)
