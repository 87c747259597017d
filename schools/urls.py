from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("children/", views.parent_home, name="parent_home"),
    path("classes/", views.teacher_classes, name="teacher_classes"),
    path("classes/<int:class_id>/", views.class_detail, name="class_detail"),
    path("schools/<int:school_id>/", views.school_overview, name="school_overview"),
    path("help/", views.help_page, name="help"),
    path("schools/<int:school_id>/settings/", views.school_settings, name="school_settings"),
    path("schools/<int:school_id>/pupils/", views.school_pupils, name="school_pupils"),
    path(
        "schools/<int:school_id>/pupils/<int:pupil_id>/",
        views.pupil_detail,
        name="pupil_detail",
    ),
    path(
        "schools/<int:school_id>/pupils/<int:pupil_id>/leave/",
        views.pupil_leave,
        name="pupil_leave",
    ),
    path(
        "schools/<int:school_id>/pupils/<int:pupil_id>/parents/<int:guardianship_id>/remove/",
        views.guardianship_remove,
        name="guardianship_remove",
    ),
    path(
        "schools/<int:school_id>/staff/<int:user_id>/remove/",
        views.staff_remove,
        name="staff_remove",
    ),
    path(
        "schools/<int:school_id>/classes/<int:class_id>/teachers/",
        views.class_teachers,
        name="class_teachers",
    ),
    path("schools/<int:school_id>/roster/", views.roster_upload, name="roster_upload"),
    path(
        "schools/<int:school_id>/roster/<int:import_id>/",
        views.roster_preview,
        name="roster_preview",
    ),
    path(
        "schools/<int:school_id>/roster/<int:import_id>/apply/",
        views.roster_apply,
        name="roster_apply",
    ),
    path(
        "schools/<int:school_id>/roster/<int:import_id>/status/",
        views.roster_status,
        name="roster_status",
    ),
]
