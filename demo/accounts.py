"""The demo accounts a newcomer signs in with, their second factors, the demo's
privacy notice, and reading the logins back for ``demo_logins``.

The accounts (a school admin, a teacher, a parent and a platform staff user)
share one published password, ``DEMO_PASSWORD``; the staff among them get a
confirmed authenticator device and backup codes derived from their email
address, so that the same run always prints the same secrets. That is why the
demo refuses to run in production.
"""

from __future__ import annotations

import hashlib
import time
from base64 import b32encode
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_site import PLATFORM_STAFF_GROUP
from accounts.models import User
from consent.models import Method, PrivacyNotice, Purpose
from consent.selectors import consent_current
from consent.services import consent_grant, notice_publish
from consent.wording import PURPOSE_STATEMENT

# Published on purpose: the demo accounts exist only in DEBUG demo databases.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    key: str
    role: str
    email: str
    first_name: str
    last_name: str
    needs_second_factor: bool


DEMO_ADMIN = DemoAccount("admin", "School admin", "admin@demo.example.org", "Helen", "Carter", True)
DEMO_TEACHER = DemoAccount("teacher", "Teacher", "teacher@demo.example.org", "Tom", "Okafor", True)
DEMO_PARENT = DemoAccount("parent", "Parent", "parent@demo.example.org", "Amira", "Hussain", False)
DEMO_STAFF = DemoAccount(
    "staff", "Platform staff", "staff@demo.example.org", "Alex", "Morgan", True
)
DEMO_ACCOUNTS = (DEMO_ADMIN, DEMO_TEACHER, DEMO_PARENT, DEMO_STAFF)
DEMO_EMAILS = tuple(account.email for account in DEMO_ACCOUNTS)

# The demo parent's children: (first name, year group) at the first school, then
# at the second. With a single school all three are at the first.
DEMO_CHILDREN = (("Layla", 3), ("Yusuf", 5), ("Zayn", 4))
DEMO_TEACHER_YEAR_GROUPS = (3, 4)

DEMO_NOTICE_VERSION = "1.0"
DEMO_NOTICE_SUMMARY = "The first version of the privacy notice."
DEMO_NOTICE_TEXT = """\
This is the demo privacy notice of the Home Learning Portal. The people, schools and \
contact details in this demo are made up.

Your child's school gives us your name, your email address or mobile number, and your \
children's names, year groups and classes, so that it can invite you. When you join, we \
keep the account you create and what you and your children do on the portal.

We use it to run the portal: to show you your children's activities, to let the school \
see how families take part, and to send you the messages the service needs. We use your \
photos and comments to promote the programme, and send you news by email, only if you \
agree; you can change your mind at any time on your Privacy and consent page.

You can ask to see the data we hold about you, to correct it or to have it deleted."""

# The demo parent's children: (first name, year group) at the first school, then


def _demo_digest(purpose: str, email: str) -> bytes:
    return hashlib.sha256(f"home-learning-demo:{purpose}:{email}".encode()).digest()


def demo_totp_key(email: str) -> str:
    """The fixed authenticator key (hex, 20 bytes) of a demo staff account."""
    return _demo_digest("totp", email)[:20].hex()


def demo_backup_codes(email: str, count: int = 10) -> list[str]:
    """Fixed backup codes of a demo staff account, in the alphabet of real ones."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for number in range(count):
        digest = _demo_digest(f"backup-{number}", email)
        codes.append("".join(alphabet[byte % len(alphabet)] for byte in digest[:10]))
    return codes


def demo_account_save(account: DemoAccount) -> User:
    user = User.objects.filter(email__iexact=account.email).first() or User(email=account.email)
    user.first_name = account.first_name
    user.last_name = account.last_name
    user.is_active = True
    user.is_staff = account is DEMO_STAFF
    user.is_superuser = False
    user.closed_at = None
    user.delete_after = None
    user.processing_restricted = False
    user.set_password(DEMO_PASSWORD)
    user.save()
    # Platform staff get what the "Platform staff" group holds (a data migration
    # keeps it), nothing granted to the account itself.
    user.user_permissions.clear()
    user.groups.set([Group.objects.get(name=PLATFORM_STAFF_GROUP)] if user.is_staff else [])
    if account.needs_second_factor:
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(
            user=user, name="Authenticator app", key=demo_totp_key(account.email), confirmed=True
        )
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in demo_backup_codes(account.email)
        )
    return user


def demo_notice_publish(*, actor: User) -> PrivacyNotice:
    """The current privacy notice; when none is published yet, the demo's own is
    published (a draft of the same version included), so that consent given in
    the demo names a notice. Running it again changes nothing."""
    current = PrivacyNotice.current()
    if current is not None:
        return current
    notice, _ = PrivacyNotice.objects.get_or_create(
        version=DEMO_NOTICE_VERSION,
        defaults={"text": DEMO_NOTICE_TEXT, "summary_of_changes": DEMO_NOTICE_SUMMARY},
    )
    if notice.is_published:  # published for a time still to come
        return notice
    return notice_publish(notice=notice, actor=actor)


def demo_parent_consent(*, parent: User, notice: PrivacyNotice) -> None:
    """The demo parent agreed to the platform's processing when they joined: recorded
    unless they consent now, so a second run adds nothing."""
    if not consent_current(user=parent, purpose=Purpose.PLATFORM):
        consent_grant(
            user=parent,
            purpose=Purpose.PLATFORM,
            wording=PURPOSE_STATEMENT[Purpose.PLATFORM],
            method=Method.REGISTRATION,
            notice=notice,
        )


# --- Reading the demo logins back -----------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    account: DemoAccount
    school_names: list[str]
    totp_key_base32: str = ""
    otpauth_url: str = ""
    current_code: str = ""
    seconds_left: int = 0
    backup_codes: list[str] = field(default_factory=list)


def demo_logins_read() -> list[DemoLogin]:
    """The demo accounts that exist, with what each needs to sign in.

    Secrets are read from the database, so backup codes already used are not shown.
    """
    users = {
        user.email: user
        for user in User.objects.filter(email__in=DEMO_EMAILS).prefetch_related(
            "memberships__school", "guardianships__pupil__school"
        )
    }
    result = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.email)
        if user is None:
            continue
        schools = {m.school.name for m in user.memberships.all()} | {
            g.pupil.school.name for g in user.guardianships.all() if g.active
        }
        login = DemoLogin(account=account, school_names=sorted(schools))
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            now = int(time.time())
            code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
            codes = StaticToken.objects.filter(device__user=user, device__confirmed=True).order_by(
                "pk"
            )
            login = DemoLogin(
                account=account,
                school_names=login.school_names,
                totp_key_base32=b32encode(device.bin_key).decode(),
                otpauth_url=device.config_url,
                current_code=f"{code:0{device.digits}d}",
                seconds_left=device.step - (now - device.t0) % device.step,
                backup_codes=[token.token for token in codes],
            )
        result.append(login)
    return result
