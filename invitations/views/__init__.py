"""The invitation pages: the school admin's (invite, track, retry, resend, revoke, who
cannot be reached) and the page an invitation link opens."""

from invitations.views.accept import invitation_accept_page, invitation_join_page
from invitations.views.school import (
    invitation_create,
    invitation_list,
    invitation_resend_view,
    invitation_retry_view,
    invitation_revoke_view,
    invitation_unreachable,
)
from invitations.views.sign_out import invitation_sign_out

__all__ = [
    "invitation_accept_page",
    "invitation_create",
    "invitation_join_page",
    "invitation_list",
    "invitation_resend_view",
    "invitation_retry_view",
    "invitation_revoke_view",
    "invitation_sign_out",
    "invitation_unreachable",
]
