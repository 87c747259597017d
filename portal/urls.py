from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("healthz", account_views.healthz, name="healthz"),
    path("", account_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("two-factor/", include("accounts.urls")),
    path("", include("invitations.urls")),
    path("", include("schools.urls")),
    path("", include("notifications.urls")),
    path("", include("consent.urls")),
    path("", include("learning.urls")),
    path("", include("audit.urls")),
    path("admin/", admin.site.urls),
]
