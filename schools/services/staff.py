"""Removing a member of a school's staff: their roles at the school end and they
stop teaching its classes. A school always keeps at least one admin."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Membership, User
from audit.services import audit_record
from schools.models import School, SchoolClass


class StaffRemovalError(Exception):
    """A removal that cannot be made, with a message for the admin."""


def staff_removal_refusal(*, school: School, member: User, admin_ids: list[int]) -> str:
    """Why ``member`` cannot be removed from ``school`` ("" if they can), given the
    ids of the school's admins."""
    if member.pk in admin_ids and len(admin_ids) == 1:
        return (
            f"{member.get_full_name()} is the only admin of {school}. "
            "Add another school admin first."
        )
    return ""


def staff_removal_check(*, school: School, member: User) -> str:
    """Why ``member`` cannot be removed, for the confirmation page ("" if they can)."""
    admin_ids = list(
        Membership.objects.filter(school=school, role=Membership.Role.ADMIN).values_list(
            "user_id", flat=True
        )
    )
    return staff_removal_refusal(school=school, member=member, admin_ids=admin_ids)


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
    refusal = staff_removal_refusal(school=school, member=member, admin_ids=admins)
    if refusal:
        raise StaffRemovalError(refusal)
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
