"""Who may see and change a school's invitations: that school's admins."""

from __future__ import annotations

from accounts.access.refusals import refuse
from accounts.access.roles import schools_administered_by
from invitations.models import Invitation
from schools.models import School


def administered_invitation_or_404(user, school: School, invitation_id) -> Invitation:
    """An invitation of ``school``, if the user is one of that school's admins; otherwise 404."""
    invitation = (
        Invitation.objects.filter(
            pk=invitation_id,
            school=school,
            school__in=schools_administered_by(user).values("pk"),
        )
        .select_related("school")
        .first()
    )
    if invitation is None:
        refuse("No such invitation.")
    return invitation
