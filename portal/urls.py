from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("invitations.urls")),
    path("", include("schools.urls")),
    path("", include("notifications.urls")),
    path("", include("consent.urls")),
    path("", include("learning.urls")),
    path("", include("engagement.urls")),
    path("", include("audit.urls")),
    path("", include("privacy.urls")),
    path("admin/", admin.site.urls),
]
