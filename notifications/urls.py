from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:message_id>/html/", views.outbox_html, name="outbox_html"),
    path(
        "notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    path("stop/<str:token>/", views.stop, name="stop"),
    path("stop/<str:token>/undo/", views.stop_undo, name="stop_undo"),
    path(
        "notifications/notify/receipts/",
        views.notify_delivery_receipt,
        name="notify_delivery_receipt",
    ),
]
