"""The areas of the portal a user's roles open: the site header's links and the
home page's choice. A decision about who may go where, so it lives with the
other access rules."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from accounts.access.roles import is_parent
from accounts.models import Membership


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    # A page inside an area (not an area of its own): the home page does not
    # count it when deciding whether the user has only one place to go.
    area: bool = True


def navigation_for(user) -> list[NavLink]:
    """The areas the user's roles open, in a fixed order."""
    if not user.is_authenticated:
        return []
    links: list[NavLink] = []
    if is_parent(user):
        links.append(NavLink("My children", reverse("schools:parent_home")))
    memberships = list(
        Membership.objects.filter(user=user).select_related("school").order_by("school__name")
    )
    if any(m.role == Membership.Role.TEACHER for m in memberships):
        links.append(NavLink("My classes", reverse("schools:teacher_classes")))
    if memberships:
        # Choosing and writing topics is part of a teacher's or admin's work,
        # not an area of its own.
        links.append(NavLink("Topics", reverse("learning:topic_list"), area=False))
        links.append(NavLink("Work set", reverse("learning:assignment_list"), area=False))
    if any(m.school.moderate_feedback for m in memberships):
        links.append(
            NavLink("Feedback to approve", reverse("learning:feedback_moderation"), area=False)
        )
    administered = [m for m in memberships if m.role == Membership.Role.ADMIN]
    for membership in administered:
        school_id = membership.school_id
        links.append(
            NavLink(membership.school.name, reverse("schools:school_overview", args=[school_id]))
        )
        label = "Invitations" if len(administered) == 1 else f"Invitations · {membership.school}"
        links.append(NavLink(label, reverse("invitations:list", args=[school_id]), area=False))
    if user.is_staff:
        links.append(NavLink("Platform admin", reverse("admin:index")))
    return links
