from django.urls import path

from engagement import views

app_name = "engagement"

urlpatterns = [
    # Tracking from parents' pages (engagement.views.tracking).
    path(
        "engagement/videos/<int:activity_id>/started/",
        views.video_started,
        name="video_started",
    ),
    path("engagement/games/<int:activity_id>/", views.game_open, name="game_open"),
    path("engagement/", views.teacher_dashboard, name="teacher_dashboard"),
    path("engagement/nudge/", views.nudge, name="nudge"),
    path("schools/<int:school_id>/engagement/", views.school_dashboard, name="school_dashboard"),
    path(
        "schools/<int:school_id>/engagement/pupil-premium/",
        views.pp_report,
        name="pp_report",
    ),
]
