from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/backup-codes/", views.backup_codes_new, name="two_factor_backup_codes"),
    path(
        "two-factor/backup-codes/download/",
        views.backup_codes_download,
        name="two_factor_backup_codes_download",
    ),
    path("schools/<int:school_id>/staff/add/", views.staff_add_page, name="staff_add"),
    path("account/", views.account_settings, name="settings"),
    path("account/name/", views.account_name, name="settings_name"),
    path("account/email/", views.account_email, name="settings_email"),
    path("account/email/cancel/", views.account_email_cancel, name="settings_email_cancel"),
    path("account/mobile/", views.account_mobile, name="settings_mobile"),
    path("account/mobile/confirm/", views.account_mobile_confirm, name="mobile_confirm"),
    path("account/mobile/remove/", views.account_mobile_remove, name="settings_mobile_remove"),
    path("account/sessions/end/", views.account_sessions_end, name="settings_sessions_end"),
    path("account/restriction/", views.account_restriction, name="settings_restriction"),
    path("account/close/", views.account_close_page, name="close"),
    path("account/closed/", views.account_closed, name="closed"),
]
