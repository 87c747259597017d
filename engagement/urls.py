from django.urls import path

from engagement import views

app_name = "engagement"

urlpatterns = [
    path("engagement/", views.teacher_dashboard, name="teacher_dashboard"),
    path("engagement/nudge/", views.nudge, name="nudge"),
    path("schools/<int:school_id>/engagement/", views.school_dashboard, name="school_dashboard"),
]
