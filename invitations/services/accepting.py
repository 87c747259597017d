"""Accepting an invitation: a new parent joins, or a parent with an account adds
the children, and consent is recorded, all in one transaction.

A forwarded link alone never links a child to another account: an account whose
email and mobile both differ from the invitation's, and a new parent joining
through an invitation that holds no email, first type back a code sent to the
invited contact (``invitations.services.claiming``).

One account across children and schools: when another account accepts, the
guardianships move onto it, and the imported account the invitation was
addressed to is deleted if nothing is left on it.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import requires_two_factor
from accounts.lookup import normalise_email
from accounts.models import User
from audit.services import audit_record
from consent.models import ConsentRecord, Method, PrivacyNotice, Purpose
from consent.services import consent_grant
from invitations.errors import (
    AccountInUseError,
    AnotherAccountError,
    ConsentRequiredError,
    ContactProofRequiredError,
    EmailTakenError,
    InvitationNotUsableError,
    StaffAccountError,
)
from invitations.models import Invitation
from invitations.selectors import invitation_contact_matches, invitation_register_needs_code
from invitations.services.claiming import claim_code_use
from schools.models import Guardianship

OPTIONAL_PURPOSES = frozenset({Purpose.MEDIA_PROMOTION, Purpose.MARKETING_EMAIL})


def _attach_children(*, invitation: Invitation, user: User, now) -> None:
    """Confirm the invited parent's guardianships of the invitation's pupils for
    ``user``, moving them onto ``user``'s account when another account accepts."""
    pupil_ids = list(invitation.pupils.values_list("pk", flat=True))
    source = {}
    if invitation.parent_id is not None:
        source = {
            g.pupil_id: g
            for g in Guardianship.objects.select_for_update().filter(
                parent_id=invitation.parent_id, pupil_id__in=pupil_ids, ended_at__isnull=True
            )
        }
    if invitation.parent_id == user.pk:
        Guardianship.objects.filter(pk__in=[g.pk for g in source.values()]).filter(
            confirmed_at__isnull=True
        ).update(confirmed_at=now)
        return
    own = {
        g.pupil_id: g
        for g in Guardianship.objects.select_for_update().filter(
            parent=user, pupil_id__in=pupil_ids
        )
    }
    to_update: list[Guardianship] = []
    to_create: list[Guardianship] = []
    to_delete: list[int] = []
    for pupil_id in pupil_ids:
        imported = source.get(pupil_id)
        existing = own.get(pupil_id)
        if existing is not None:
            if imported is not None:
                # Merge onto the user's own row; (parent, pupil) stays unique.
                existing.relationship = existing.relationship or imported.relationship
                existing.parental_responsibility = (
                    existing.parental_responsibility or imported.parental_responsibility
                )
                existing.ended_at = None
                to_delete.append(imported.pk)
            elif existing.ended_at is not None:
                continue
            existing.confirmed_at = existing.confirmed_at or now
            to_update.append(existing)
        elif imported is not None:
            imported.parent = user
            imported.confirmed_at = imported.confirmed_at or now
            to_update.append(imported)
        elif invitation.parent_id is None:
            to_create.append(Guardianship(parent=user, pupil_id=pupil_id, confirmed_at=now))
    if to_delete:
        Guardianship.objects.filter(pk__in=to_delete).delete()
    if to_update:
        Guardianship.objects.bulk_update(
            to_update,
            ["parent", "confirmed_at", "ended_at", "relationship", "parental_responsibility"],
        )
    if to_create:
        Guardianship.objects.bulk_create(to_create)


def account_in_use(account: User) -> bool:
    """Someone owns the account: it was activated or has a password. An imported
    account is neither until its parent joins."""
    return account.is_active or account.has_usable_password()


def _leftover_account_delete(*, account_id: int | None, invitation: Invitation, kept: User) -> bool:
    """Delete the imported account an invitation was addressed to once another
    account has taken its children, if nothing is left on it: no guardianship, never
    signed in or activated, no consent record, no staff role, no other live
    invitation. Returns whether it was deleted."""
    if account_id is None or account_id == kept.pk:
        return False
    account = User.objects.select_for_update().filter(pk=account_id).first()
    if account is None or account_in_use(account):
        return False
    if account.last_login is not None or account.closed_at is not None:
        return False
    other_live_invitations = Invitation.objects.filter(
        parent=account, status__in=Invitation.LIVE_STATUSES, expires_at__gt=timezone.now()
    ).exclude(pk=invitation.pk)
    if (
        Guardianship.objects.filter(parent=account).exists()
        or account.memberships.exists()
        or ConsentRecord.objects.filter(user=account).exists()
        or other_live_invitations.exists()
    ):
        return False
    account.delete()
    return True


def invitation_register(
    *,
    invitation: Invitation,
    first_name: str,
    last_name: str,
    password: str,
    email: str | None,
    consents: Mapping[str, str],
    code: str | None = None,
) -> User:
    """A new parent joins through ``invitation``: the imported account it is
    addressed to gets their name and password, and is activated and accepts the
    invitation. All or nothing.

    The account keeps the email the school has (``email`` is then ignored). When
    the school has none, ``email`` is the one the parent chose, and ``code`` (sent
    to the invitation's mobile by ``claim_code_send``) must be right: without it
    ContactProofRequiredError, and the errors of ``claim_code_use`` otherwise.

    Raises InvitationNotUsableError (also for a closed account), AccountInUseError
    when the invited account already has an owner (they sign in instead),
    EmailTakenError, and whatever invitation_accept raises. The caller validates
    the password.
    """
    fields = {
        "first_name": first_name,
        "last_name": last_name,
        "password": password,
        "email": email,
        "consents": consents,
    }
    invitation = Invitation.objects.select_related("parent").get(pk=invitation.pk)
    if not invitation_register_needs_code(invitation):
        with transaction.atomic():
            return _register(invitation=invitation, by_code=False, **fields)
    if code is None:
        raise ContactProofRequiredError("A code sent to the invited mobile is needed.")
    return claim_code_use(
        invitation=invitation,
        user=None,
        code=code,
        actor=None,
        then=lambda: _register(invitation=invitation, by_code=True, **fields),
    )


def _register(
    *,
    invitation: Invitation,
    first_name: str,
    last_name: str,
    password: str,
    email: str | None,
    consents: Mapping[str, str],
    by_code: bool,
) -> User:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationNotUsableError("This invitation was used, revoked or has expired.")
    if invitation.parent_id is None:
        account = User(is_active=False)
    else:
        account = User.objects.select_for_update().get(pk=invitation.parent_id)
        if account.closed_at is not None:
            raise InvitationNotUsableError("The invited account was closed.")
        if account_in_use(account):
            raise AccountInUseError("The invited account is in use: sign in to accept.")
    address = normalise_email(account.email or invitation.email) or normalise_email(email)
    if not address:
        raise ValueError("An email address is required to sign in.")
    account.email = address
    account.first_name = first_name.strip()
    account.last_name = last_name.strip()
    account.set_password(password)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as error:  # user_email_ci_unique: the email has an account
        raise EmailTakenError("Another account uses this email address.") from error
    _accept(invitation=invitation, user=account, consents=consents, actor=account, by_code=by_code)
    return account


def invitation_accept(
    *,
    invitation: Invitation,
    user: User,
    consents: Mapping[str, str],
    actor: User,
    code: str | None = None,
) -> Invitation:
    """Accept a usable invitation for ``user``: confirm (or move onto ``user``) the
    guardianships of its pupils, activate the account and record consent. When
    another account accepts, the imported account the invitation was addressed to
    is deleted if nothing is left on it (one account across children and schools).

    ``consents`` maps each purpose the parent ticked to the exact wording shown;
    ``platform`` is required. Single use: a second call raises InvitationNotUsableError.
    A staff account is refused (StaffAccountError), and so is anyone but the owner
    of an invited account already in use (AnotherAccountError).

    When neither ``user``'s email nor their mobile is the invitation's, ``code``
    (sent to the invited contact by ``claim_code_send``) must be right: without it
    ContactProofRequiredError, and the errors of ``claim_code_use`` otherwise.
    """
    if code is None:
        with transaction.atomic():
            return _accept(
                invitation=invitation, user=user, consents=consents, actor=actor, by_code=False
            )
    return claim_code_use(
        invitation=invitation,
        user=user,
        code=code,
        actor=actor,
        then=lambda: _accept(
            invitation=invitation, user=user, consents=consents, actor=actor, by_code=True
        ),
    )


def _accept(
    *, invitation: Invitation, user: User, consents: Mapping[str, str], actor: User, by_code: bool
) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationNotUsableError("This invitation was used, revoked or has expired.")
    # Accepting activates the account: never a closed one, even one closed since
    # ``user`` was loaded (restoring is for platform staff, at the person's request).
    closed = User.objects.select_for_update().filter(pk=user.pk, closed_at__isnull=False)
    if user.closed_at is not None or closed.exists():
        raise InvitationNotUsableError("The account was closed.")
    if requires_two_factor(user):
        raise StaffAccountError("Staff accounts cannot accept a parent's invitation.")
    if invitation.parent_id not in (None, user.pk) and account_in_use(invitation.parent):
        raise AnotherAccountError("This invitation is for another account.")
    if not by_code and not invitation_contact_matches(invitation=invitation, user=user):
        raise ContactProofRequiredError("A code sent to the invited contact is needed.")
    if not consents.get(Purpose.PLATFORM):
        raise ConsentRequiredError("Agreeing to the platform's processing is required.")
    unknown = set(consents) - OPTIONAL_PURPOSES - {Purpose.PLATFORM}
    if unknown:
        raise ValueError(f"Consent purposes not offered on an invitation: {sorted(unknown)}")
    now = timezone.now()
    _attach_children(invitation=invitation, user=user, now=now)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    notice = PrivacyNotice.current()
    for purpose in [Purpose.PLATFORM, *sorted(set(consents) & OPTIONAL_PURPOSES)]:
        consent_grant(
            user=user,
            purpose=purpose,
            wording=consents[purpose],
            method=Method.REGISTRATION,
            notice=notice,
        )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    audit_record(
        actor=actor,
        action="invitation.accept",
        subject=invitation,
        changes={
            "accepted_by": user.pk,
            "invited_account": invitation.parent_id,
            "confirmed_by_code": by_code,
            "consents": sorted(consents),
        },
    )
    if _leftover_account_delete(account_id=invitation.parent_id, invitation=invitation, kept=user):
        invitation.parent = None
    return invitation
