from django.contrib import admin

from notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by services and the delivery task only.

    Platform staff follow a message's delivery (channel, status, attempts, times),
    never what it says or where it went: a subject names a child ("Ottoline earned
    ..."), an address is a parent's, and a body may carry a live invitation link.
    The recipient appears by user id only.
    """

    list_display = [
        "id",
        "channel",
        "kind",
        "template",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind", "template"]
    search_fields = ["idempotency_key", "provider_id", "reference"]
    date_hierarchy = "created_at"
    # A busy outbox is large: no COUNT(*) of the whole table on every page.
    show_full_result_count = False
    fields = [
        "recipient_user_id",
        "channel",
        "kind",
        "template",
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

    @admin.display(description="recipient (user id)", ordering="recipient_id")
    def recipient_user_id(self, message: Message) -> int | None:
        return message.recipient_id

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
