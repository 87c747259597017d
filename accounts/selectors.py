from dataclasses import dataclass

from django.urls import reverse

from accounts.access import is_parent
from accounts.models import Membership


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str


def navigation_for(user) -> list[NavLink]:
    """The areas the user's roles open, in a fixed order."""
    if not user.is_authenticated:
        return []
    links: list[NavLink] = []
    if is_parent(user):
        links.append(NavLink("My children", reverse("parent_home")))
    memberships = list(
        Membership.objects.filter(user=user).select_related("school").order_by("school__name")
    )
    if any(m.role == Membership.Role.TEACHER for m in memberships):
        links.append(NavLink("My classes", reverse("teacher_classes")))
    for membership in memberships:
        if membership.role == Membership.Role.ADMIN:
            links.append(
                NavLink(
                    membership.school.name, reverse("school_overview", args=[membership.school_id])
                )
            )
    if user.is_staff:
        links.append(NavLink("Platform admin", reverse("admin:index")))
    return links
