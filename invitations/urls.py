from django.urls import path

from invitations import views

app_name = "invitations"

urlpatterns = [
    # The page a link leads to once its token is in the session (before the link's
    # pattern: no token is "join" or "sign-out").
    path("invitations/join/", views.invitation_join_page, name="join"),
    path("invitations/sign-out/", views.invitation_sign_out, name="sign_out"),
    # The link format of invitations.tokens.invitation_link.
    path("invitations/<str:token>/", views.invitation_accept_page, name="accept"),
    path("schools/<int:school_id>/invitations/", views.invitation_list, name="list"),
    path("schools/<int:school_id>/invitations/new/", views.invitation_create, name="create"),
    path(
        "schools/<int:school_id>/invitations/unreachable/",
        views.invitation_unreachable,
        name="unreachable",
    ),
    path(
        "schools/<int:school_id>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend_view,
        name="resend",
    ),
    path(
        "schools/<int:school_id>/invitations/<int:invitation_id>/retry/",
        views.invitation_retry_view,
        name="retry",
    ),
    path(
        "schools/<int:school_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="revoke",
    ),
]
