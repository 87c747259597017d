"""What can stop an invitation being sent, resent, revoked or accepted."""


class InvitationNotUsableError(Exception):
    """The invitation was used, revoked or has expired."""


class ConsentRequiredError(Exception):
    """The parent did not agree to the platform's processing."""


class StaffAccountError(Exception):
    """A staff account cannot take children: a parent who also works at a school
    joins with a separate parent account."""


class AccountInUseError(Exception):
    """The invited account is already in use: its owner signs in to accept."""


class EmailTakenError(Exception):
    """Another account already uses this email address."""


class AnotherAccountError(Exception):
    """The invitation is addressed to an account someone already uses: only its
    owner may accept it, not whoever else is signed in."""
