from django.contrib import admin, messages

from consent.models import ConsentRecord, PrivacyNotice
from consent.services import notice_publish

NOTICE_CONTENT_FIELDS = ["version", "text", "summary_of_changes", "requires_reconsent"]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """Platform staff draft notices here and publish them with the action. A published
    notice is what users agreed to, so its content can no longer be edited."""

    list_display = ["version", "published_at", "requires_reconsent"]
    list_filter = ["requires_reconsent"]
    search_fields = ["version"]
    fields = [*NOTICE_CONTENT_FIELDS, "published_at", "published_by"]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return [*NOTICE_CONTENT_FIELDS, "published_at", "published_by"]
        return ["published_at", "published_by"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="Publish the selected draft notices now", permissions=["change"])
    def publish(self, request, queryset):
        published = 0
        for notice in queryset.filter(published_at__isnull=True).order_by("id"):
            notice_publish(notice=notice, actor=request.user)
            published += 1
        skipped = queryset.count() - published
        if published:
            self.message_user(request, f"Published {published} notice(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} notice(s) were already published.", messages.WARNING
            )


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """The ledger is read-only everywhere, the admin included."""

    list_display = ["id", "user", "purpose", "granted", "method", "notice", "created_at"]
    list_filter = ["purpose", "granted", "method"]
    search_fields = ["user__email"]
    list_select_related = ["user", "notice"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
