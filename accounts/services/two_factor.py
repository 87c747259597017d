"""Second factors: enrolling an authenticator app, backup codes, checking a code."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp.forms import otp_verification_failed
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.selectors import devices_for_code
from accounts.signals import backup_codes_regenerated, second_factor_verified


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator device, created if need be."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def _new_backup_codes(count: int) -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return ["".join(secrets.choice(alphabet) for _ in range(10)) for _ in range(count)]


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's backup codes with a fresh set and return them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Backup codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = _new_backup_codes(settings.OTP_BACKUP_CODE_COUNT)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    backup_codes_regenerated.send(sender=StaticDevice, user=user)
    return codes


@transaction.atomic
def totp_device_confirm(
    *, device: TOTPDevice, token: str, request: HttpRequest | None = None
) -> list[str] | None:
    """Confirm an authenticator device with a code from it.

    Returns the new backup codes, or None if the code was wrong. Any other
    authenticator the user had is removed: one device at a time. Either outcome
    is announced (``accounts.signals``); ``request`` is passed on to receivers.
    """
    if not device.verify_token(token.strip().replace(" ", "")):
        otp_verification_failed.send(sender=Device, user=device.user)
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = backup_codes_regenerate(user=device.user)
    second_factor_verified.send(sender=Device, request=request, user=device.user, device=device)
    return codes


@transaction.atomic
def second_factor_check(
    *, user: User, token: str, request: HttpRequest | None = None
) -> Device | None:
    """The user's confirmed device that accepts ``token`` (a code from their app,
    or a backup code, which is then used up), or None.

    The code is tried only on its own kind of device (``devices_for_code``).
    Either outcome is announced (``accounts.signals``) so the security log
    follows every attempt; ``request`` is passed on to receivers.
    """
    matched = None
    for device in devices_for_code(user=user, token=token):
        if device.verify_token(token):
            matched = device
            break
    if matched is None:
        otp_verification_failed.send(sender=Device, user=user)
    else:
        second_factor_verified.send(sender=Device, request=request, user=user, device=matched)
    return matched
