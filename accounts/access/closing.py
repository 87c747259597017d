"""Closing accounts: who closes their own here, and who restores a closed one.

Families close their own account from account settings. A staff account (a
school role, or platform staff) is not closed by its holder: their school's
admin removes them from the staff, and platform staff remove platform staff.
Restoring a closed account within its hold is for platform staff holding
``accounts.restore_closed_account`` (the Platform staff group does).
"""

from __future__ import annotations

from accounts.access.roles import is_signed_in, requires_two_factor


def can_close_own_account(user) -> bool:
    """A signed-in family account (restricted ones included); never a staff account."""
    return is_signed_in(user) and not requires_two_factor(user)


def can_restore_closed_accounts(user) -> bool:
    return is_signed_in(user) and user.is_staff and user.has_perm("accounts.restore_closed_account")
