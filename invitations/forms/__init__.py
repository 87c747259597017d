"""Forms of the invitation pages: the school admin's invite and filter forms, and
the parent's consent and registration forms on the accept page."""

from invitations.forms.accept import ConsentForm, RegistrationForm
from invitations.forms.invite import InvitationCreateForm, InvitationFilterForm

__all__ = ["ConsentForm", "InvitationCreateForm", "InvitationFilterForm", "RegistrationForm"]
