from django.urls import path

from notifications import views

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path(
        "notifications/notify/receipts/",
        views.notify_delivery_receipt,
        name="notify_delivery_receipt",
    ),
]
