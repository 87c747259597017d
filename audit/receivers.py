"""Security events from the signals of Django, allauth, django-otp and accounts.

Connected in AuditConfig.ready. Each receiver records one SecurityEvent and is
``_guarded``: a failure is logged and its writes undone (a savepoint), never
passed to the code that sent the signal, since a sign-in must not fail because
its log line could not be written. The user is the one the signal names, else
the signed-in user of the request being served (``security_event_record``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.functions import Lower
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.forms import otp_verification_failed
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.lookup import normalise_email
from accounts.models import User
from accounts.signals import backup_codes_regenerated, second_factor_verified
from audit.models import SecurityEvent
from audit.services import security_event_record

logger = logging.getLogger(__name__)

Kind = SecurityEvent.Kind
# The keys under which a sign-in form passes the identifier typed: allauth sends
# ``email`` with ACCOUNT_LOGIN_METHODS = {"email"} (``username`` when usernames
# are a login method); Django's own login form sends the USERNAME_FIELD, ``email``.
_IDENTIFIER_KEYS = ("email", "username")


def _guarded(function: Callable[..., None]) -> Callable[..., None]:
    """Run the receiver in a savepoint; a failure is logged and undone, never raised."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> None:
        try:
            with transaction.atomic():
                function(*args, **kwargs)
        except Exception:
            logger.exception("Could not record a security event (%s)", function.__name__)

    return guarded


@receiver(user_logged_in, dispatch_uid="audit.sign_in")
@_guarded
def sign_in(sender, request, user, **kwargs) -> None:
    security_event_record(kind=Kind.SIGN_IN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit.sign_out")
@_guarded
def sign_out(sender, request, user, **kwargs) -> None:
    # user is None when someone who was not signed in signs out.
    security_event_record(kind=Kind.SIGN_OUT, user=user, request=request)


def _identifier_tried(credentials: dict[str, Any]) -> str:
    """The email (or username) typed at a failed sign-in; never the password,
    which Django has already masked and which is not read here anyway."""
    for key in _IDENTIFIER_KEYS:
        value = credentials.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _account_for(identifier: str) -> User | None:
    """The account whose email was tried, so the attempt shows in its history.
    Through the case-insensitive email index (user_email_ci_unique)."""
    email = normalise_email(identifier)
    if not email:
        return None
    return User.objects.alias(email_lower=Lower("email")).filter(email_lower=email).first()


@receiver(user_login_failed, dispatch_uid="audit.sign_in_failed")
@_guarded
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    identifier = _identifier_tried(credentials or {})
    security_event_record(
        kind=Kind.SIGN_IN_FAILED,
        user=_account_for(identifier),
        request=request,
        email_tried=identifier or None,
    )


@receiver(password_changed, dispatch_uid="audit.password_changed")
@receiver(password_set, dispatch_uid="audit.password_set")
@_guarded
def password_changed_or_set(sender, request, user, **kwargs) -> None:
    security_event_record(kind=Kind.PASSWORD_CHANGED, user=user, request=request)


@receiver(password_reset, dispatch_uid="audit.password_reset")
@_guarded
def password_was_reset(sender, request, user, **kwargs) -> None:
    security_event_record(kind=Kind.PASSWORD_RESET, user=user, request=request)


@receiver(otp_verification_failed, dispatch_uid="audit.second_factor_failed")
@_guarded
def second_factor_failed(sender, user, **kwargs) -> None:
    security_event_record(kind=Kind.SECOND_FACTOR_FAILED, user=user)


@receiver(second_factor_verified, dispatch_uid="audit.second_factor_passed")
@_guarded
def second_factor_passed(sender, user, device, request=None, **kwargs) -> None:
    method = "backup_code" if isinstance(device, StaticDevice) else "authenticator_app"
    security_event_record(
        kind=Kind.SECOND_FACTOR_PASSED, user=user, request=request, details={"method": method}
    )


@receiver(backup_codes_regenerated, dispatch_uid="audit.backup_codes_regenerated")
@_guarded
def backup_codes_were_regenerated(sender, user, **kwargs) -> None:
    security_event_record(kind=Kind.BACKUP_CODES_REGENERATED, user=user)


@receiver(post_save, sender=TOTPDevice, dispatch_uid="audit.device_added")
@_guarded
def device_added(sender, instance: TOTPDevice, created, update_fields=None, **kwargs) -> None:
    """An authenticator app counts once it is confirmed: created confirmed, or
    saved with ``confirmed`` (enrolment). Other saves (the last code used, the
    throttle after a wrong code) and unconfirmed devices are not additions."""
    if kwargs.get("raw") or not instance.confirmed:
        return
    if created or (update_fields is not None and "confirmed" in update_fields):
        security_event_record(
            kind=Kind.DEVICE_ADDED, user=instance.user, details={"device": instance.pk}
        )


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="audit.device_removed")
@_guarded
def device_removed(sender, instance: TOTPDevice, origin=None, **kwargs) -> None:
    """A confirmed authenticator app deleted for its own sake. When its account is
    being deleted (origin: the user) the account's deletion is the event; an event
    naming that user would also be written after its security events were
    detached, and point at an account about to be gone."""
    if not instance.confirmed:
        return
    if not isinstance(origin, TOTPDevice) and getattr(origin, "model", None) is not TOTPDevice:
        return
    security_event_record(
        kind=Kind.DEVICE_REMOVED, user=instance.user, details={"device": instance.pk}
    )
