"""Adding staff to a school, inviting platform staff, and the link a new account
chooses its password with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.admin_site import PLATFORM_STAFF_GROUP
from accounts.lookup import normalise_email
from accounts.models import Membership, User
from audit.services import audit_record
from notifications.models import Message
from notifications.services import message_queue
from schools.offboarded import offboarded_message, school_takes_new_data

if TYPE_CHECKING:
    from schools.models import School


class StaffError(Exception):
    """A staff change that cannot be made, with a message for the admin."""


def password_set_url(*, user: User) -> str:
    """A single-use link for the user to choose a password (allauth's reset link)."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@transaction.atomic
def staff_add(
    *, school: School, email: str, first_name: str, last_name: str, role: str, actor: User
) -> Membership:
    """Add a teacher or admin to a school; a new account gets an email to set a password.

    The email goes through the outbox, written in this transaction.

    An existing account keeps its password and is told it has been added. Someone
    already on this school's staff cannot be added twice, and a school that has
    left the portal takes no new staff.
    """
    if not school_takes_new_data(school_id=school.pk):
        raise StaffError(offboarded_message(school))
    email = normalise_email(email)
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
        user.set_unusable_password()
        user.save()
    elif not user.is_active and user.closed_at is not None:
        raise StaffError("That account has been closed and cannot be added.")
    elif not user.is_active:
        # A parent imported from a roster who has not registered yet.
        user.is_active = True
        user.first_name = user.first_name or first_name.strip()
        user.last_name = user.last_name or last_name.strip()
        user.save(update_fields=["is_active", "first_name", "last_name"])
    if Membership.objects.filter(user=user, school=school, role=role).exists():
        role_name = Membership.Role(role).label.lower()
        raise StaffError(f"{email} is already on the staff of {school} as a {role_name}.")
    membership = Membership.objects.create(user=user, school=school, role=role)
    audit_record(
        actor=actor,
        action="staff.add",
        subject=membership,
        school=school,
        changes={"user": user.pk, "role": role, "new_account": created},
    )

    needs_password = not user.has_usable_password()
    message_queue(
        recipient=user,
        channel=Message.Channel.EMAIL,
        kind=Message.Kind.SERVICE,
        template="staff_added",
        context={
            "user_name": user.get_short_name(),
            "actor_name": actor.get_full_name(),
            "school_name": school.name,
            "role": membership.get_role_display().lower(),
            "password_url": password_set_url(user=user) if needs_password else "",
            "sign_in_url": f"{settings.SITE_URL.rstrip('/')}{reverse('account_login')}",
        },
        idempotency_key=f"staff-added:{membership.pk}",
        reference=f"membership:{membership.pk}",
    )
    return membership


@transaction.atomic
def platform_staff_invite(
    *, email: str, first_name: str = "", last_name: str = "", actor: User | None
) -> User:
    """A new platform staff account (``is_staff``, in the Platform staff group),
    emailed a link to choose its password through the outbox, in this transaction.
    Its first sign-in enrols an authenticator app before any page opens
    (``accounts.middleware.StaffTwoFactorMiddleware``).

    Only ever a new account: an address that already has one is refused and
    nothing changes, so running it twice invites once.
    """
    from allauth.account.models import EmailAddress

    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise StaffError(f"{email or 'An empty address'} is not a valid email address.") from None
    in_use = (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
    )
    if in_use:
        raise StaffError(
            f"{email} already belongs to an account, so no account was created. "
            "If it is an invited account that has not chosen a password yet, its holder "
            "can use “Forgotten your password?” on the sign-in page."
        )
    group = Group.objects.filter(name=PLATFORM_STAFF_GROUP).first()
    if group is None:
        raise StaffError(f"The {PLATFORM_STAFF_GROUP} group is missing: run migrate first.")
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.is_staff = True
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same address saved a moment ago
        raise StaffError(f"{email} already belongs to an account.") from None
    user.groups.add(group)
    audit_record(
        actor=actor,
        action="platform_staff.invite",
        subject=user,
        changes={"user": user.pk, "group": PLATFORM_STAFF_GROUP},
    )
    site = settings.SITE_URL.rstrip("/")
    message_queue(
        recipient=user,
        channel=Message.Channel.EMAIL,
        kind=Message.Kind.SERVICE,
        template="platform_staff_invited",
        context={
            "user_name": user.get_short_name(),
            "password_url": password_set_url(user=user),
            "admin_url": f"{site}{reverse('admin:index')}",
        },
        idempotency_key=f"platform-staff-invited:{user.pk}",
        reference=f"user:{user.pk}",
    )
    return user
