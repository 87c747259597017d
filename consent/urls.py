from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("privacy/notice/", views.privacy_notice, name="privacy_notice"),
    path("privacy/notices/<str:version>/", views.privacy_notice, name="privacy_notice_version"),
    path(
        "privacy/notice/continue/",
        views.privacy_notice_acknowledge,
        name="privacy_notice_acknowledge",
    ),
    path("privacy/consents/", views.privacy_consents, name="privacy_consents"),
    path("privacy/consents/change/", views.privacy_consent_change, name="privacy_consent_change"),
    path("privacy/agree/", views.privacy_reconsent, name="privacy_reconsent"),
    path("cookies/", views.cookie_settings, name="cookie_settings"),
    path("cookies/choice/", views.cookie_choice, name="cookie_choice"),
]
