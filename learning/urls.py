from django.urls import path

from learning import views

app_name = "learning"

urlpatterns = [
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/new/", views.topic_create, name="topic_create"),
    path("topics/<int:topic_id>/", views.topic_detail, name="topic_detail"),
    path("topics/<int:topic_id>/edit/", views.topic_edit, name="topic_edit"),
    path("topics/<int:topic_id>/delete/", views.topic_delete, name="topic_delete"),
    path("topics/<int:topic_id>/activities/new/", views.activity_create, name="activity_create"),
    path(
        "topics/<int:topic_id>/activities/<int:activity_id>/edit/",
        views.activity_edit,
        name="activity_edit",
    ),
    path(
        "topics/<int:topic_id>/activities/<int:activity_id>/move/",
        views.activity_move,
        name="activity_move",
    ),
    path(
        "topics/<int:topic_id>/activities/<int:activity_id>/delete/",
        views.activity_delete,
        name="activity_delete",
    ),
    path(
        "topics/<int:topic_id>/activities/<int:activity_id>/video/",
        views.activity_video,
        name="activity_video",
    ),
    path(
        "topics/<int:topic_id>/activities/<int:activity_id>/video/file/",
        views.activity_video_file,
        name="activity_video_file",
    ),
    # The child's space (a parent's pages), families' photos, staff feedback and moderation.
    path("children/<int:pupil_id>/", views.child_space, name="child_space"),
    path(
        "children/<int:pupil_id>/assignments/<int:assignment_id>/",
        views.child_assignment,
        name="child_assignment",
    ),
    path(
        "children/<int:pupil_id>/assignments/<int:assignment_id>/activities/<int:activity_id>/done/",
        views.child_activity_done,
        name="child_activity_done",
    ),
    path(
        "children/<int:pupil_id>/assignments/<int:assignment_id>/activities/<int:activity_id>/undo/",
        views.child_activity_undo,
        name="child_activity_undo",
    ),
    path(
        "children/<int:pupil_id>/assignments/<int:assignment_id>/activities/<int:activity_id>/feedback/",
        views.child_activity_feedback,
        name="child_activity_feedback",
    ),
    path(
        "children/<int:pupil_id>/assignments/<int:assignment_id>/activities/<int:activity_id>"
        "/feedback/remove/",
        views.child_activity_feedback_remove,
        name="child_activity_feedback_remove",
    ),
    path("feedback/<int:feedback_id>/photo/", views.feedback_photo, name="feedback_photo"),
    path(
        "feedback/<int:feedback_id>/moderate/",
        views.feedback_moderate,
        name="feedback_moderate",
    ),
    path("feedback/<int:feedback_id>/reject/", views.feedback_reject, name="feedback_reject"),
    path("moderation/", views.feedback_moderation, name="feedback_moderation"),
    path(
        "assignments/<int:assignment_id>/feedback/",
        views.assignment_feedback,
        name="assignment_feedback",
    ),
    # Setting work for classes (learning.views.assignments).
    path(
        "topics/<int:topic_id>/set/",
        views.assignment_create,
        name="assignment_create",
    ),
    path("assignments/", views.assignment_list, name="assignment_list"),
    path(
        "assignments/<int:assignment_id>/",
        views.assignment_detail,
        name="assignment_detail",
    ),
    path(
        "assignments/<int:assignment_id>/edit/",
        views.assignment_edit,
        name="assignment_edit",
    ),
    path(
        "assignments/<int:assignment_id>/delete/",
        views.assignment_delete,
        name="assignment_delete",
    ),
]
