"""Reads of a user's own account: their authenticator apps and how long a wrong
code locks them, and what the account settings page shows; the schools a closed
account can ask to have it restored, platform staff finding one closed account, and
which accounts the retention task must notice, close or delete
(``privacy.services.retention``); the name an account's messages go out under."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import is_parent, requires_two_factor
from accounts.lookup import mobile_lookup_hash, normalise_email
from accounts.models import Membership, MobileChange, User
from accounts.names import names_joined
from schools.models import Guardianship, School


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


# --- Inactive and closed accounts (the retention task) ------------------------------
#
# A *parent in use* is an account open and used (active, never closed, signed in at
# least once), with no school role, not platform staff and not restricted (a
# restricted person's data is kept as it is, and they get no messages). Contacts a
# school imported who never joined have never signed in: they get no notices.

# 11 and 12 months, in days: the notice says the account closes in 30 days.
NOTICE_AFTER = timedelta(days=335)
CLOSE_AFTER = timedelta(days=365)
NOTICE_DAYS = 30


def last_activity():
    """When the account was last used: the later of its last page
    (``last_active_at``) and its last sign-in, never earlier than when it joined.
    Each falls back to ``date_joined`` (SQLite's MAX of a NULL is NULL)."""
    return Greatest(
        Coalesce("last_active_at", "date_joined"),
        Coalesce("last_login", "date_joined"),
        output_field=DateTimeField(),
    )


def parents_in_use() -> QuerySet[User]:
    """Open parents' accounts that have been used, with ``activity`` annotated."""
    return (
        User.objects.filter(
            is_active=True,
            closed_at__isnull=True,
            last_login__isnull=False,
            is_staff=False,
            is_superuser=False,
            processing_restricted=False,
        )
        .filter(~Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .annotate(activity=last_activity())
    )


def parents_without_notice() -> QuerySet[User]:
    """Parents in use with no notice for their present inactive spell (a notice
    older than the last activity belonged to an earlier one)."""
    return parents_in_use().filter(
        Q(closure_notice_at__isnull=True) | Q(closure_notice_at__lt=F("activity"))
    )


def parents_noticed() -> QuerySet[User]:
    """Parents in use told, during their present inactive spell, that it closes."""
    return parents_in_use().filter(closure_notice_at__gte=F("activity"))


def accounts_due_closure_notice(*, now: datetime) -> QuerySet[User]:
    return parents_without_notice().filter(activity__lte=now - NOTICE_AFTER)


def accounts_due_closing(*, now: datetime) -> QuerySet[User]:
    return parents_noticed().filter(
        activity__lte=now - CLOSE_AFTER,
        closure_notice_at__lte=now - timedelta(days=NOTICE_DAYS),
    )


def closure_date(*, activity: datetime, notice_at: datetime) -> datetime:
    """When an account noticed at ``notice_at`` closes if it stays unused: 30 days
    after the notice, and never before 12 months unused."""
    return max(notice_at + timedelta(days=NOTICE_DAYS), activity + CLOSE_AFTER)


def accounts_held() -> QuerySet[User]:
    """Closed accounts whose data is held until ``delete_after`` (cleared once
    deleted: ``accounts.services.account_hold_end``)."""
    return User.objects.filter(closed_at__isnull=False, delete_after__isnull=False)


def accounts_due_deletion(*, now: datetime) -> QuerySet[User]:
    return accounts_held().filter(delete_after__lte=now)


def contacts_unused_unlinked() -> QuerySet[User]:
    """Contacts a school imported who never joined (never activated, signed in or
    given a password), linked to no child any more (their children were
    anonymised): nothing of theirs is in use, and the school has let them go."""
    return User.objects.filter(
        is_active=False,
        last_login__isnull=True,
        closed_at__isnull=True,
        is_staff=False,
        is_superuser=False,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
    ).filter(
        ~Exists(Membership.objects.filter(user=OuterRef("pk"))),
        ~Exists(Guardianship.objects.filter(parent=OuterRef("pk"))),
    )


def schools_of_account(*, user) -> list[dict[str, str]]:
    """The schools of the person's children (removed by the school included) and
    the schools they staff, whatever the state of their account: the places a
    closed account's holder can ask about restoring it. Name (as parents see it),
    email and phone only, as plain values a signed-out page can keep."""
    schools = (
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
    return [
        {
            "name": school.name_for_parents,
            "email": school.contact_email,
            "phone": school.contact_phone,
        }
        for school in schools
    ]


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


# Who a message to an account with no school (or several) comes from.
PORTAL_NAME = "Home Learning Portal"


def sender_names_of(*, user_ids: Iterable[int]) -> dict[int, str]:
    """The name each account's messages go out under, as parents see it: the school
    of its children and of its staff roles, or its schools joined ("Oak School and
    Elm School"); the portal's name for an account with none. Every text names the
    school first, even one about the account itself. Two queries for any number."""
    user_ids = set(user_ids)
    names: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    pairs = [
        *Guardianship.objects.filter(
            parent_id__in=user_ids, confirmed_at__isnull=False, ended_at__isnull=True
        ).values_list("parent_id", "pupil__school__parent_facing_name", "pupil__school__name"),
        *Membership.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "school__parent_facing_name", "school__name"
        ),
    ]
    for user_id, facing_name, name in pairs:
        names[user_id].add(facing_name or name)
    return {
        user_id: names_joined(sorted(schools), fallback=PORTAL_NAME)
        for user_id, schools in names.items()
    }
