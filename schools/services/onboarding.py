"""Platform staff bring a school onto the portal and keep its details right."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Membership, User
from accounts.services import StaffError, staff_add
from audit.services import audit_record
from schools.models import School

SCHOOL_DETAIL_FIELDS = ("name", "urn", "kind")


class OnboardingError(Exception):
    """The school cannot be onboarded as asked; nothing was saved."""


def _urn_taken_message(urn: str) -> str:
    return f"A school with URN {urn} is already on the portal."


@transaction.atomic
def school_onboard(
    *,
    name: str,
    urn: str,
    kind: str,
    admin_email: str,
    admin_first_name: str,
    admin_last_name: str,
    actor: User,
) -> School:
    """A new school and its first school admin, who is emailed a link to choose a
    password (through the outbox, in this transaction). All or nothing."""
    if School.objects.filter(urn=urn).exists():
        raise OnboardingError(_urn_taken_message(urn))
    school = School(name=name.strip(), urn=urn.strip(), kind=kind)
    try:
        school.full_clean()
    except ValidationError as error:
        raise OnboardingError(" ".join(error.messages)) from error
    try:
        with transaction.atomic():
            school.save()
    except IntegrityError as error:  # the same URN saved a moment ago
        raise OnboardingError(_urn_taken_message(urn)) from error
    audit_record(
        actor=actor,
        action="school.create",
        subject=school,
        changes={"urn": school.urn, "kind": school.kind},
    )
    try:
        staff_add(
            school=school,
            email=admin_email,
            first_name=admin_first_name,
            last_name=admin_last_name,
            role=Membership.Role.ADMIN,
            actor=actor,
        )
    except StaffError as error:
        raise OnboardingError(f"The first admin cannot be added: {error}") from error
    return school


@transaction.atomic
def school_update(*, school: School, actor: User, **fields) -> School:
    """Change a school's name, URN or kind."""
    unknown = set(fields) - set(SCHOOL_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Not a school detail: {', '.join(sorted(unknown))}")
    before = School.objects.select_for_update().get(pk=school.pk)
    for name, value in fields.items():
        setattr(school, name, value)
    school.full_clean()
    school.save(update_fields=list(fields))
    changed = {
        name: [getattr(before, name), value]
        for name, value in fields.items()
        if getattr(before, name) != value
    }
    audit_record(actor=actor, action="school.update", subject=school, changes=changed)
    return school
