"""Removing a member of a school's staff: their roles at the school end and they
stop teaching its classes. A school always keeps at least one admin."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Membership, User
from audit.services import audit_record
from schools.models import School, SchoolClass


class StaffRemovalError(Exception):
    """A removal that cannot be made, with a message for the admin."""


@transaction.atomic
def staff_member_remove(*, school: School, member: User, actor: User) -> list[str]:
    """End every role ``member`` has at ``school``; returns the roles ended.

    The school's admin memberships are locked first, so two admins removing each
    other at once cannot leave the school without one. Their account stays (it
    may have other schools, or children); only this school's roles and classes go.
    """
    admins = list(
        Membership.objects.select_for_update()
        .filter(school=school, role=Membership.Role.ADMIN)
        .values_list("user_id", flat=True)
    )
    memberships = list(
        Membership.objects.select_for_update().filter(school=school, user=member).order_by("role")
    )
    if not memberships:
        raise StaffRemovalError(f"{member.get_full_name()} is no longer on the staff.")
    if member.pk in admins and len(admins) == 1:
        raise StaffRemovalError(
            f"{member.get_full_name()} is the only admin of {school}. "
            "Add another school admin first."
        )
    roles = [membership.role for membership in memberships]
    classes = list(
        SchoolClass.objects.filter(school=school, teachers=member).values_list("pk", flat=True)
    )
    SchoolClass.teachers.through.objects.filter(
        schoolclass_id__in=classes, user_id=member.pk
    ).delete()
    Membership.objects.filter(pk__in=[membership.pk for membership in memberships]).delete()
    audit_record(
        actor=actor,
        action="staff.remove",
        subject=member,
        school=school,
        changes={"user": member.pk, "roles": roles, "classes": sorted(classes)},
    )
    return roles
