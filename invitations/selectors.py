"""Reads of invitations for the school admin's pages, and the invitation a link names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from accounts.lookup import normalise_email
from invitations.models import ClaimCode, Invitation
from invitations.tokens import (
    invitation_id_from_reference,
    invitation_reference,
    message_key_prefix,
    token_digest,
)
from notifications.models import Message
from schools.models import Guardianship, Pupil, School, SchoolClass
from schools.selectors import classes_with_pupils_on_roll

FAILED_STATUSES = (Invitation.Status.FAILED, Invitation.Status.BOUNCED)


def _current_status() -> Case:
    """The status a person would give the invitation now: a live invitation past
    its expiry is expired, even before the daily task marks it so."""
    return Case(
        When(
            status__in=Invitation.LIVE_STATUSES,
            expires_at__lte=timezone.now(),
            then=Value(Invitation.Status.EXPIRED.value),
        ),
        default=F("status"),
        output_field=CharField(),
    )


def invitations_for_school(*, school: School, status: str = "") -> QuerySet[Invitation]:
    """The school's invitations, newest first, each with ``current_status``, the
    account that accepted it and its children (first names only) prefetched;
    optionally of one status."""
    invitations = (
        Invitation.objects.filter(school=school)
        .annotate(current_status=_current_status())
        .select_related("accepted_by")
        .prefetch_related(
            Prefetch(
                "pupils",
                queryset=Pupil.objects.order_by("first_name", "pk").only("pk", "first_name"),
            )
        )
        .order_by("-created_at", "-pk")
    )
    if status:
        invitations = invitations.filter(current_status=status)
    return invitations


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def invitation_status_counts(*, school: School) -> list[StatusCount]:
    """How many of the school's invitations are in each status, counted in one query."""
    counts = dict(
        Invitation.objects.filter(school=school)
        .annotate(current_status=_current_status())
        .values("current_status")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("current_status", "count")
    )
    return [
        StatusCount(status=value, label=label, count=counts.get(value, 0))
        for value, label in Invitation.Status.choices
    ]


def _live_invitation_of_parent(school: School, parent_ref: OuterRef) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        school=school,
        parent=parent_ref,
        status__in=Invitation.LIVE_STATUSES,
        expires_at__gt=timezone.now(),
    )


def _on_roll(school: School) -> QuerySet[Pupil]:
    return Pupil.objects.filter(
        school=school, removed_by_school_at__isnull=True, anonymised_at__isnull=True
    )


def invitable_pupils(*, school: School) -> QuerySet[Pupil]:
    """Pupils on roll, for choosing whom to invite: each says whether a parent has
    joined (``joined``), holds a live invitation (``invited``) or is on record at all
    (``has_parent``)."""
    current = Guardianship.objects.filter(pupil=OuterRef("pk"), ended_at__isnull=True)
    live = Invitation.objects.filter(
        pupils=OuterRef("pk"),
        school=school,
        status__in=Invitation.LIVE_STATUSES,
        expires_at__gt=timezone.now(),
    )
    return (
        _on_roll(school)
        .annotate(
            joined=Exists(current.filter(confirmed_at__isnull=False)),
            invited=Exists(live),
            has_parent=Exists(current),
        )
        .select_related("school_class")
        .only("pk", "first_name", "last_name", "school_class__name", "school_class__academic_year")
        .order_by(
            "-school_class__academic_year",
            "school_class__year_group",
            "school_class__name",
            "last_name",
            "first_name",
            "pk",
        )
    )


def invitable_classes(*, school: School) -> QuerySet[SchoolClass]:
    """The school's classes with how many of their pupils are on roll, for the class picker."""
    return classes_with_pupils_on_roll(school=school)


def pupils_to_invite(*, school: School, scope: str, pupils=(), school_class=None):
    """The pupils an invite form's choice names: chosen pupils, a class, or everyone on roll."""
    on_roll = _on_roll(school)
    if scope == "school":
        return on_roll
    if scope == "class":
        return on_roll.filter(school_class=school_class)
    return on_roll.filter(pk__in=[pupil.pk for pupil in pupils])


def parents_already_invited_count(*, school: School, pupils: QuerySet[Pupil]) -> int:
    """Parents of ``pupils`` whom an invitation would reach but who already hold a
    live invitation from the school (invitations_create skips them)."""
    return (
        Guardianship.objects.filter(
            pupil__in=pupils.values("pk"),
            confirmed_at__isnull=True,
            ended_at__isnull=True,
            parent__closed_at__isnull=True,
            parent__processing_restricted=False,
        )
        .filter(Exists(_live_invitation_of_parent(school, OuterRef("parent_id"))))
        .values("parent_id")
        .distinct()
        .count()
    )


class UnreachableReason:
    NO_PARENT = "no_parent"
    NO_CONTACT = "no_contact"
    INVITATIONS_FAILED = "invitations_failed"


def unreachable_pupils(*, school: School) -> QuerySet[Pupil]:
    """Pupils on roll whom no parent has joined for, and whom the school cannot reach:
    no parent on record, no parent with an email or mobile the portal may use, or
    every invitation naming them failed or bounced (revoked ones aside).

    Each carries ``reason`` (an UnreachableReason) and, in ``failed_invitations``,
    its failed or bounced invitations, which may be resent.
    """
    current = Guardianship.objects.filter(pupil=OuterRef("pk"), ended_at__isnull=True)
    contactable = current.filter(
        parent__closed_at__isnull=True, parent__processing_restricted=False
    ).filter(Q(parent__email__isnull=False) | ~Q(parent__mobile=""))
    invitations = Invitation.objects.filter(pupils=OuterRef("pk"), school=school)
    return (
        _on_roll(school)
        .filter(~Exists(current.filter(confirmed_at__isnull=False)))
        .annotate(
            has_parent=Exists(current),
            has_contact=Exists(contactable),
            has_failed=Exists(invitations.filter(status__in=FAILED_STATUSES)),
            has_working=Exists(
                invitations.exclude(status__in=(*FAILED_STATUSES, Invitation.Status.REVOKED))
            ),
        )
        .filter(Q(has_parent=False) | Q(has_contact=False) | Q(has_failed=True, has_working=False))
        .annotate(
            reason=Case(
                When(has_parent=False, then=Value(UnreachableReason.NO_PARENT)),
                When(has_contact=False, then=Value(UnreachableReason.NO_CONTACT)),
                default=Value(UnreachableReason.INVITATIONS_FAILED),
                output_field=CharField(),
            )
        )
        .select_related("school_class")
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=Invitation.objects.filter(
                    school=school, status__in=FAILED_STATUSES
                ).order_by("contact_name", "pk"),
                to_attr="failed_invitations",
            )
        )
        .order_by("school_class__name", "last_name", "first_name", "pk")
    )


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation whose link carries ``token``, whatever its state; None if unknown.
    Callers check ``is_usable``."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("school", "parent")
        .filter(token_hash=token_digest(token))
        .first()
    )


def invitations_retryable(*, invitations: Sequence[Invitation]) -> set[int]:
    """Of ``invitations`` (a page of the tracker), the primary keys of those Retry
    can send again: failed, link still working, and a failed message carrying the
    current link. One query, only when the page holds such an invitation."""
    now = timezone.now()
    candidates = {
        invitation.pk: message_key_prefix(invitation.token_hash)
        for invitation in invitations
        if invitation.status == Invitation.Status.FAILED and invitation.expires_at > now
    }
    if not candidates:
        return set()
    failed = Message.objects.filter(
        reference__in=[invitation_reference(pk) for pk in candidates],
        status=Message.Status.FAILED,
    ).values_list("reference", "idempotency_key")
    return {
        invitation_id
        for reference, key in failed
        if (invitation_id := invitation_id_from_reference(reference)) in candidates
        and key.startswith(candidates[invitation_id])
    }


def invitation_for_token_hash(token_hash: str | None) -> Invitation | None:
    """The invitation whose link has this digest (kept in a session), or None."""
    if not token_hash or not isinstance(token_hash, str):
        return None
    return (
        Invitation.objects.select_related("school", "parent").filter(token_hash=token_hash).first()
    )


def invitation_children_first_names(*, invitation: Invitation) -> list[str]:
    """The first names of the children an invitation names, for its page: only first
    names, the page says nothing else about a child."""
    return list(
        invitation.pupils.filter(anonymised_at__isnull=True)
        .order_by("first_name", "pk")
        .values_list("first_name", flat=True)
    )


def _e164(mobile: str | None) -> str:
    """A stored mobile (E.164 already, or a UK format) in E.164, for comparing two:
    parsed, not validated, so that a number in a reserved range still compares."""
    if not mobile:
        return ""
    try:
        number = phonenumbers.parse(mobile, "GB")
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def invitation_contact_matches(*, invitation: Invitation, user) -> bool:
    """Whether ``user`` is the contact the invitation was sent to: the account it
    names, or an account with its email (ignoring case) or its mobile (in E.164).
    Anyone else first types back a code sent to that contact."""
    if invitation.parent_id is not None and invitation.parent_id == user.pk:
        return True
    email = normalise_email(invitation.email)
    if email and normalise_email(user.email) == email:
        return True
    mobile = _e164(invitation.mobile)
    return bool(mobile) and _e164(user.mobile) == mobile


def invitation_invited_email(*, invitation: Invitation) -> str:
    """The email the school has for the invited parent: their account's, else the
    invitation's. A new parent joins with it; only without one do they choose."""
    account_email = invitation.parent.email if invitation.parent is not None else ""
    return normalise_email(account_email or invitation.email)


def invitation_register_needs_code(invitation: Invitation) -> bool:
    """Whether a new parent joining through ``invitation`` must first type back a
    code sent to its mobile: the school gave no email, so the parent chooses the
    email they sign in with, and only the code shows the link reached them."""
    return not invitation_invited_email(invitation=invitation)


def _masked_email(email: str) -> str:
    """``d•••@e•••.org``: enough for its owner to know it, not to learn it."""
    local, _, domain = email.partition("@")
    name, dot, suffix = domain.rpartition(".")
    if not dot:
        name, suffix = domain, ""
    return f"{local[:1]}•••@{name[:1]}•••{dot}{suffix}"


def invitation_contact_hints(*, invitation: Invitation) -> list[str]:
    """Where a claim code goes, for the page asking for it, without giving away
    the contact's details to whoever holds the link."""
    hints = []
    if invitation.email:
        hints.append(f"the email address {_masked_email(invitation.email)}")
    mobile = _e164(invitation.mobile) or invitation.mobile
    if mobile:
        hints.append(f"the mobile number ending {mobile[-3:]}")
    return hints


@dataclass(frozen=True)
class ClaimState:
    """Where a claimant is with a code for an invitation's current link."""

    waiting: ClaimCode | None  # the newest code sent to them that still works
    locked: bool  # too many wrong codes or codes sent: the school must resend


def invitation_claim_state(*, invitation: Invitation, user) -> ClaimState:
    """The claim code waiting for ``user`` (None: a new parent), and whether the
    link still takes codes, in one query."""
    codes = list(
        ClaimCode.objects.filter(invitation=invitation, link_hash=invitation.token_hash)
        .only("pk", "user_id", "attempts", "expires_at", "used_at", "created_at")
        .order_by("-created_at", "-pk")
    )
    now = timezone.now()
    user_id = user.pk if user is not None else None
    waiting = next(
        (
            code
            for code in codes
            if code.user_id == user_id and code.used_at is None and code.expires_at > now
        ),
        None,
    )
    tries = sum(code.attempts for code in codes)
    locked = tries >= ClaimCode.MAX_TRIES or (waiting is None and len(codes) >= ClaimCode.MAX_SENDS)
    return ClaimState(waiting=waiting, locked=locked)
