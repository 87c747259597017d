from django.urls import path

from privacy import views
from privacy.views import requests as request_views

app_name = "privacy"

urlpatterns = [
    # A school admin's queue of privacy requests.
    path(
        "schools/<int:school_id>/privacy-requests/",
        request_views.school_requests,
        name="school_requests",
    ),
    path(
        "schools/<int:school_id>/privacy-requests/new/",
        request_views.school_request_new,
        name="school_request_new",
    ),
    path(
        "schools/<int:school_id>/privacy-requests/<int:request_id>/",
        request_views.school_request,
        name="school_request",
    ),
    path(
        "schools/<int:school_id>/privacy-requests/<int:request_id>/start/",
        request_views.school_request_start,
        name="school_request_start",
    ),
    path(
        "schools/<int:school_id>/privacy-requests/<int:request_id>/close/",
        request_views.school_request_close,
        name="school_request_close",
    ),
    path(
        "schools/<int:school_id>/privacy-requests/<int:request_id>/refuse/",
        request_views.school_request_refuse,
        name="school_request_refuse",
    ),
    path(
        "schools/<int:school_id>/privacy-requests/<int:request_id>/restrict/",
        request_views.school_request_restrict,
        name="school_request_restrict",
    ),
    path(
        "schools/<int:school_id>/privacy-requests/<int:request_id>/erase/",
        request_views.school_request_erase,
        name="school_request_erase",
    ),
    # Access and portability: a person's own data, a pupil's and a school's.
    path("account/data/", views.my_data, name="my_data"),
    path("account/data/download/", views.my_data_download, name="download"),
    path(
        "schools/<int:school_id>/pupils/<int:pupil_id>/export/",
        views.pupil_export,
        name="pupil_export",
    ),
    path("schools/<int:school_id>/export/", views.school_export, name="school_export"),
    # Erasure: a person erases their own data (a staff account asks instead).
    path("account/data/erase/", views.erase, name="erase"),
    path("account/data/erased/", views.erased, name="erased"),
]
