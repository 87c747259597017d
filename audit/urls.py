from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("schools/<int:school_id>/audit/", views.school_log, name="school_log"),
    path("schools/<int:school_id>/security/", views.school_security, name="school_security"),
]
