from django.urls import path

from engagement import views

app_name = "engagement"

urlpatterns = [
    path(
        "schools/<int:school_id>/engagement/pupil-premium/",
        views.pp_report,
        name="pp_report",
    ),
]
