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


class ContactProofRequiredError(Exception):
    """Neither the account's email nor its mobile is the invitation's: a code sent
    to the invited contact must confirm the claim first (a forwarded link alone
    never links a child to another account)."""


class ClaimCodeExpiredError(Exception):
    """No code is waiting for this claim: none was sent, or it expired or was used."""


class ClaimCodeLockedError(Exception):
    """Too many wrong codes, or too many codes sent, for this invitation link: the
    school must send the invitation again."""


class ClaimCodeUnreachableError(Exception):
    """The invitation holds no email or mobile a code could be sent to."""


class WrongClaimCodeError(Exception):
    """The code typed is not the one sent. ``tries_left`` says how many more may
    be tried before the invitation link is locked (0: it now is)."""

    def __init__(self, message: str, *, tries_left: int):
        super().__init__(message)
        self.tries_left = tries_left
