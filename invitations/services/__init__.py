"""Every write to invitations: sending, accepting, and following their messages."""

from invitations.errors import (
    AccountInUseError,
    AnotherAccountError,
    ClaimCodeExpiredError,
    ClaimCodeLockedError,
    ClaimCodeUnreachableError,
    ConsentRequiredError,
    ContactProofRequiredError,
    EmailTakenError,
    InvitationNotUsableError,
    StaffAccountError,
    WrongClaimCodeError,
)
from invitations.services.accepting import (
    OPTIONAL_PURPOSES,
    account_in_use,
    invitation_accept,
    invitation_register,
)
from invitations.services.claiming import CLAIM_CODE_TEMPLATE, claim_code_send
from invitations.services.retrying import invitation_retry
from invitations.services.sending import (
    BATCH_SIZE,
    INVITATION_TEMPLATE,
    REMINDER_TEMPLATE,
    invitation_resend,
    invitation_revoke,
    invitations_create,
    invitations_expire,
    invitations_remind_due,
)
from invitations.services.status import invitation_status_follow

__all__ = [
    "BATCH_SIZE",
    "CLAIM_CODE_TEMPLATE",
    "INVITATION_TEMPLATE",
    "OPTIONAL_PURPOSES",
    "REMINDER_TEMPLATE",
    "AccountInUseError",
    "AnotherAccountError",
    "ClaimCodeExpiredError",
    "ClaimCodeLockedError",
    "ClaimCodeUnreachableError",
    "ConsentRequiredError",
    "ContactProofRequiredError",
    "EmailTakenError",
    "InvitationNotUsableError",
    "StaffAccountError",
    "WrongClaimCodeError",
    "account_in_use",
    "claim_code_send",
    "invitation_accept",
    "invitation_register",
    "invitation_resend",
    "invitation_retry",
    "invitation_revoke",
    "invitation_status_follow",
    "invitations_create",
    "invitations_expire",
    "invitations_remind_due",
]
