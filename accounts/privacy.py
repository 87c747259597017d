"""The personal data accounts hold: the account itself, staff roles, a pending
mobile change, email addresses, sessions and second-factor devices."""

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.db.models import Q
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, MobileChange, User
from privacy.registry import USER, DataCategory, erase_grouped, iso, register


@register
class AccountCategory(DataCategory):
    """Erasure anonymises the row rather than deleting it, so the rows other
    categories keep without identity (completions, ratings, audit entries) stay
    consistent; deleting the row after the hold period is the retention task's.
    Runs last in a whole erasure: other categories match the person's email and
    mobile (messages, invitations, failed sign-ins) before they go."""

    name = "account"
    description = "The parent's or staff member's account: name, email, mobile, language, dates."
    models = ("accounts.User",)
    subjects = (USER,)
    erase_order = 100

    def export_user(self, user):
        return {
            "id": user.pk,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "mobile": user.mobile,
            "preferred_language": user.preferred_language,
            "date_joined": iso(user.date_joined),
            "last_active_at": iso(user.last_active_at),
            "processing_restricted": user.processing_restricted,
            "closure_notice_at": iso(user.closure_notice_at),
            "closed_at": iso(user.closed_at),
        }

    def erase_user(self, user):
        """Anonymise the row; 0 when it already is. The ``user`` object passed in
        keeps its email and mobile in memory, which is why this runs last."""
        return self._anonymise(User.objects.filter(pk=user.pk))

    def erase_users(self, users):
        rows = User.objects.filter(_STILL_PERSONAL, pk__in=[user.pk for user in users])
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            self._anonymise(User.objects.filter(pk__in=ids))
        return dict.fromkeys(ids, 1)

    def _anonymise(self, rows):
        return rows.filter(_STILL_PERSONAL).update(
            first_name="",
            last_name="",
            email=None,
            mobile="",
            mobile_hash="",
            is_active=False,
            last_login=None,
            last_active_at=None,
            password=make_password(None),
        )


def _still_personal() -> Q:
    return (
        ~Q(first_name="")
        | ~Q(last_name="")
        | Q(email__isnull=False)
        | ~Q(mobile="")
        | ~Q(mobile_hash="")
        | Q(is_active=True)
        | Q(last_login__isnull=False)
        | Q(last_active_at__isnull=False)
        | ~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    )


_STILL_PERSONAL = _still_personal()


def _delete(rows):
    rows.delete()


@register
class StaffRoleCategory(DataCategory):
    name = "staff_roles"
    description = "A staff member's roles at schools (school admin or teacher)."
    models = ("accounts.Membership",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {"school": row.school.name, "role": row.role, "since": iso(row.created_at)}
            for row in Membership.objects.filter(user=user).select_related("school").order_by("pk")
        ]

    def erase_user(self, user):
        return Membership.objects.filter(user=user).delete()[0]

    def erase_users(self, users):
        return erase_grouped(Membership.objects.all(), "user", users, _delete)


@register
class MobileChangeCategory(DataCategory):
    name = "mobile_change"
    description = "A new mobile number waiting for its confirmation code (only the code's hash)."
    models = ("accounts.MobileChange",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {"mobile": row.mobile, "created_at": iso(row.created_at)}
            for row in MobileChange.objects.filter(user=user)
        ]

    def erase_user(self, user):
        return MobileChange.objects.filter(user=user).delete()[0]

    def erase_users(self, users):
        return erase_grouped(MobileChange.objects.all(), "user", users, _delete)


@register
class EmailAddressCategory(DataCategory):
    name = "email_addresses"
    description = "The account's email addresses as allauth keeps them (verified, primary)."
    models = ("account.EmailAddress",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {"email": row.email, "verified": row.verified, "primary": row.primary}
            for row in EmailAddress.objects.filter(user=user).order_by("pk")
        ]

    def erase_user(self, user):
        return EmailAddress.objects.filter(user=user).delete()[0]

    def erase_users(self, users):
        return erase_grouped(EmailAddress.objects.all(), "user", users, _delete)


@register
class SessionCategory(DataCategory):
    """Erasure ends each session (its Django session too), then the row goes."""

    name = "sessions"
    description = "Signed-in sessions: address, browser, when opened and last seen."
    models = ("usersessions.UserSession",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {
                "ip": row.ip,
                "user_agent": row.user_agent,
                "created_at": iso(row.created_at),
                "last_seen_at": iso(row.last_seen_at),
            }
            for row in UserSession.objects.filter(user=user).order_by("pk")
        ]

    def erase_user(self, user):
        rows = list(UserSession.objects.filter(user=user))
        for row in rows:
            row.end()
        return len(rows)

    def erase_users(self, users):
        counts: dict[int, int] = {}
        for row in UserSession.objects.filter(user__in=[user.pk for user in users]):
            row.end()
            counts[row.user_id] = counts.get(row.user_id, 0) + 1
        return counts


@register
class SecondFactorCategory(DataCategory):
    """Backup codes (otp_static.StaticToken) belong to their device and go with it."""

    name = "second_factors"
    description = "Staff's authenticator apps and backup-code sets (names and dates, no secrets)."
    models = ("otp_totp.TOTPDevice", "otp_static.StaticDevice")
    subjects = (USER,)

    def export_user(self, user):
        return [
            {"kind": model._meta.verbose_name, "name": row.name, "confirmed": row.confirmed}
            for model in (TOTPDevice, StaticDevice)
            for row in model.objects.filter(user=user).order_by("pk")
        ]

    def erase_user(self, user):
        return sum(
            model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
            for model in (TOTPDevice, StaticDevice)
        )

    def erase_users(self, users):
        counts: dict[int, int] = {}
        for model in (TOTPDevice, StaticDevice):
            for pk, number in erase_grouped(model.objects.all(), "user", users, _delete).items():
                counts[pk] = counts.get(pk, 0) + number
        return counts
