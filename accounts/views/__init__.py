"""The accounts pages, one module per area, re-exported for accounts.urls."""

from accounts.views.account import (
    account_email,
    account_email_cancel,
    account_mobile,
    account_mobile_confirm,
    account_mobile_remove,
    account_name,
    account_restriction,
    account_sessions_end,
    account_settings,
)
from accounts.views.closing import account_close_page, account_closed
from accounts.views.pages import (
    backup_codes_download,
    backup_codes_new,
    healthz,
    home,
    staff_add_page,
    two_factor_setup,
    two_factor_verify,
)

__all__ = [
    "account_close_page",
    "account_closed",
    "account_email",
    "account_email_cancel",
    "account_mobile",
    "account_mobile_confirm",
    "account_mobile_remove",
    "account_name",
    "account_restriction",
    "account_sessions_end",
    "account_settings",
    "backup_codes_download",
    "backup_codes_new",
    "healthz",
    "home",
    "staff_add_page",
    "two_factor_setup",
    "two_factor_verify",
]
