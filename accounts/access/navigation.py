"""The areas of the portal a user's roles open: the site header's links and the
home page's choice. A decision about who may go where, so it lives with the
other access rules."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.access.pupils import pupils_staffed_by
from accounts.access.roles import is_parent
from accounts.models import Membership
from learning.models import Feedback
from privacy.models import OPEN_STATUSES, PrivacyRequest


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
        Membership.objects.filter(user=user)
        .select_related("school")
        .annotate(open_privacy_requests=open_privacy_requests_count())
        .order_by("school__name")
    )
    teaches = any(m.role == Membership.Role.TEACHER for m in memberships)
    if teaches:
        links.append(NavLink("My classes", reverse("schools:teacher_classes")))
        links.append(NavLink("Engagement", reverse("engagement:teacher_dashboard"), area=False))
    if memberships:
        # Choosing and writing topics is part of a teacher's or admin's work,
        # not an area of its own.
        links.append(NavLink("Topics", reverse("learning:topic_list"), area=False))
        links.append(NavLink("Work set", reverse("learning:assignment_list"), area=False))
    if any(m.school.moderate_feedback for m in memberships):
        # Only where a school checks families' comments and photos (its setting's
        # wording names this page), with the number waiting.
        waiting = feedback_waiting_count(user)
        links.append(
            NavLink(
                f"Feedback to approve ({waiting})",
                reverse("learning:feedback_moderation"),
                area=False,
            )
        )
    administered = [m for m in memberships if m.role == Membership.Role.ADMIN]
    for membership in administered:
        school_id = membership.school_id
        links.append(
            NavLink(membership.school.name, reverse("schools:school_overview", args=[school_id]))
        )
        label = "Invitations" if len(administered) == 1 else f"Invitations · {membership.school}"
        links.append(NavLink(label, reverse("invitations:list", args=[school_id]), area=False))
        label = (
            "Engagement"
            if len(administered) == 1 and not teaches
            else f"Engagement · {membership.school}"
        )
        links.append(
            NavLink(label, reverse("engagement:school_dashboard", args=[school_id]), area=False)
        )
        label = (
            "Privacy requests"
            if len(administered) == 1
            else f"Privacy requests · {membership.school}"
        )
        links.append(
            NavLink(
                f"{label} ({membership.open_privacy_requests})",
                reverse("privacy:school_requests", args=[school_id]),
                area=False,
            )
        )
    if user.is_staff:
        links.append(NavLink("Platform admin", reverse("admin:index")))
    links.append(NavLink("Help", reverse("schools:help"), area=False))
    return links


def feedback_waiting_count(user) -> int:
    """Comments and photos waiting for the user's approval, at the schools that check
    them first: one query, however many pupils and families there are. The same
    feedback as the Feedback to approve page lists."""
    return (
        Feedback.objects.filter(
            pupil__in=pupils_staffed_by(user).values("pk"),
            pupil__school__moderate_feedback=True,
            moderation_status=Feedback.Moderation.PENDING,
            removed_at__isnull=True,
        )
        .exclude(comment="", photo="")
        .count()
    )


def open_privacy_requests_count() -> Coalesce:
    """The open privacy requests of the membership's school, counted in the query
    that reads the user's memberships (no query of its own, however many schools)."""
    counted = (
        PrivacyRequest.objects.filter(school=OuterRef("school_id"), status__in=OPEN_STATUSES)
        .order_by()
        .values("school")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
