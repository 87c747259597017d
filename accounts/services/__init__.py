"""Every write to accounts, one module per noun: staff, second factors, a user's
own name, email, mobile and sessions, and allauth's emails through the outbox."""

from accounts.services.closing import (
    CLOSED_ACCOUNT_HOLD_DAYS,
    ClosingError,
    account_close,
    account_restore,
    accounts_close,
    restore_refusal,
)
from accounts.services.emails import (
    account_email_queue,
    email_address_current,
    email_change_cancel,
    email_change_confirm,
    email_change_request,
)
from accounts.services.lifecycle import (
    account_hold_end,
    accounts_hold_end,
    closure_notice_cancel,
    closure_notice_messages_cancel,
    closure_notices_send,
)
from accounts.services.mobile import (
    MobileChangeResult,
    mobile_change_confirm,
    mobile_change_start,
    mobile_remove,
)
from accounts.services.profile import sessions_end_others, user_name_change, user_session_track
from accounts.services.restriction import processing_restriction_set
from accounts.services.staff import (
    StaffError,
    password_set_url,
    platform_staff_invite,
    staff_add,
)
from accounts.services.two_factor import (
    backup_codes_regenerate,
    second_factor_check,
    totp_device_confirm,
    totp_device_start,
)

__all__ = [
    "CLOSED_ACCOUNT_HOLD_DAYS",
    "ClosingError",
    "MobileChangeResult",
    "StaffError",
    "account_close",
    "account_email_queue",
    "account_hold_end",
    "account_restore",
    "accounts_close",
    "accounts_hold_end",
    "backup_codes_regenerate",
    "closure_notice_cancel",
    "closure_notice_messages_cancel",
    "closure_notices_send",
    "email_address_current",
    "email_change_cancel",
    "email_change_confirm",
    "email_change_request",
    "mobile_change_confirm",
    "mobile_change_start",
    "mobile_remove",
    "password_set_url",
    "platform_staff_invite",
    "processing_restriction_set",
    "restore_refusal",
    "second_factor_check",
    "sessions_end_others",
    "staff_add",
    "totp_device_confirm",
    "totp_device_start",
    "user_name_change",
    "user_session_track",
]
