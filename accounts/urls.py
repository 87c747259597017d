from django.urls import path

from accounts import views

urlpatterns = [
    path("setup/", views.two_factor_setup, name="two_factor_setup"),
    path("verify/", views.two_factor_verify, name="two_factor_verify"),
    path("backup-codes/", views.backup_codes_new, name="two_factor_backup_codes"),
]
