from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # allauth's own list of sessions: the account settings page shows where the
    # person is signed in and ends the others, so its address leads there.
    path(
        "accounts/sessions/",
        RedirectView.as_view(url="/account/#sessions-title", permanent=False),
        name="usersessions_list",
    ),
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
