from django.contrib import admin

from notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by services and the delivery task only.

    Bodies are left out of the list and the detail page: they may carry a live
    invitation link.
    """

    list_display = ["id", "channel", "kind", "template", "status", "attempts", "created_at"]
    list_filter = ["status", "channel", "kind", "template"]
    search_fields = ["idempotency_key", "provider_id", "reference"]
    date_hierarchy = "created_at"
    fields = [
        "recipient",
        "to_address",
        "channel",
        "kind",
        "template",
        "subject",
        "status",
        "attempts",
        "provider_id",
        "last_error",
        "idempotency_key",
        "reference",
        "created_at",
        "sent_at",
        "next_attempt_at",
        "not_before",
    ]
    readonly_fields = fields
    raw_id_fields = ["recipient"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
