from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    # Access and portability: a person's own data, a pupil's and a school's.
    path("account/data/", views.my_data, name="my_data"),
    path("account/data/download/", views.my_data_download, name="download"),
    path(
        "schools/<int:school_id>/pupils/<int:pupil_id>/export/",
        views.pupil_export,
        name="pupil_export",
    ),
    path("schools/<int:school_id>/export/", views.school_export, name="school_export"),
]
