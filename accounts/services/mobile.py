"""Changing one's mobile number: a code texted to the new number confirms it."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import MobileChange, User
from accounts.names import ascii_only
from accounts.selectors import sender_names_of
from audit.services import audit_record
from notifications.models import Message
from notifications.services import message_queue

CODE_VALID_FOR = timedelta(minutes=10)


def _code_hash(change_user_id: int, mobile: str, code: str) -> str:
    return salted_hmac(
        "accounts.mobile_change", f"{change_user_id}:{mobile}:{code}", secret=settings.SECRET_KEY
    ).hexdigest()


@transaction.atomic
def mobile_change_start(*, user: User, mobile: str) -> MobileChange:
    """Text a 6-digit code to ``mobile`` (E.164); the number is the user's once the
    code comes back (``mobile_change_confirm``). Replaces any earlier request."""
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    MobileChange.objects.filter(user=user).delete()
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    change = MobileChange.objects.create(
        user=user,
        mobile=mobile,
        code_hash=_code_hash(user.pk, mobile, code),
        created_at=now,
        expires_at=now + CODE_VALID_FOR,
    )
    context = {
        "code": code,
        "minutes": int(CODE_VALID_FOR.total_seconds() // 60),
        "school_name": sender_names_of(user_ids=[user.pk])[user.pk],
    }
    message_queue(
        recipient=user,
        channel=Message.Channel.SMS,
        kind=Message.Kind.SERVICE,
        template="mobile_change_code",
        context=context,
        # A school name too long for two texts: the text names it shorter.
        shorter_contexts=[{**context, "school_name": ascii_only(context["school_name"])[:40]}],
        to_address=mobile,
        idempotency_key=f"mobile-change:{change.pk}",
        reference=f"mobile-change:{user.pk}",
    )
    audit_record(actor=user, action="user.mobile_change_start", subject=user)
    return change


@dataclass(frozen=True)
class MobileChangeResult:
    changed: bool
    error: str = ""


@transaction.atomic
def mobile_change_confirm(*, user: User, code: str) -> MobileChangeResult:
    """Check the code; a right one makes the new number the user's.

    A wrong code counts against the request (its count is kept, not rolled back);
    an expired or used-up request must be started again.
    """
    change = MobileChange.objects.select_for_update().filter(user=user).first()
    if change is None:
        return MobileChangeResult(False, "There is no new number waiting for a code.")
    if change.expires_at <= timezone.now():
        change.delete()
        return MobileChangeResult(False, "That code has expired. Ask for a new one.")
    expected = _code_hash(user.pk, change.mobile, code.strip().replace(" ", ""))
    if not hmac.compare_digest(expected, change.code_hash):
        change.attempts += 1
        if change.attempts >= MobileChange.MAX_ATTEMPTS:
            change.delete()
            return MobileChangeResult(
                False, "That code is not right, and it was the last try. Ask for a new code."
            )
        change.save(update_fields=["attempts"])
        left = MobileChange.MAX_ATTEMPTS - change.attempts
        return MobileChangeResult(
            False, f"That code is not right. {left} tr{'ies' if left != 1 else 'y'} left."
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    user.mobile = change.mobile
    user.save(update_fields=["mobile"])
    change.delete()
    audit_record(actor=user, action="user.mobile_change", subject=user)
    return MobileChangeResult(True)


@transaction.atomic
def mobile_remove(*, user: User) -> None:
    """The user no longer wants texts: their number is removed."""
    user = User.objects.select_for_update().get(pk=user.pk)
    MobileChange.objects.filter(user=user).delete()
    if user.mobile:
        user.mobile = ""
        user.save(update_fields=["mobile"])
        audit_record(actor=user, action="user.mobile_remove", subject=user)
