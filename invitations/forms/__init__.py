"""Forms of the invitation pages: the school admin's invite and filter forms, and
the parent's consent, claim-code and registration forms on the accept page."""

from invitations.forms.accept import ClaimForm, ConsentForm, RegistrationForm
from invitations.forms.invite import InvitationCreateForm, InvitationFilterForm

__all__ = [
    "ClaimForm",
    "ConsentForm",
    "InvitationCreateForm",
    "InvitationFilterForm",
    "RegistrationForm",
]
