"""The audit trail and security log, read-only for platform staff.

Nothing here is added, changed or deleted by hand: entries are written by
services and receivers, events deleted by the retention task. People appear by
user id only, never by ``str(user)`` (an email) or name: platform staff looking
into an incident follow ids, and a parent's or pupil's name has no place here.
"""

from django.contrib import admin

from audit.models import AuditEntry, SecurityEvent


class _ReadOnlyAdmin(admin.ModelAdmin):
    # A log table grows large: no COUNT(*) of the whole table on every page.
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        """Platform staff with the model's view permission (superusers have every
        permission). Not the change permission, as Django would otherwise allow:
        here nothing is ever changed."""
        user = request.user
        opts = self.opts
        return (
            user.is_active
            and user.is_staff
            and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnlyAdmin):
    list_display = ["action", "at", "school", "subject_type", "subject_id", "actor_user_id"]
    list_filter = ["action", "at"]
    list_select_related = ["school"]
    date_hierarchy = "at"
    ordering = ["-at", "-pk"]
    fields = [
        "action",
        "at",
        "school",
        "subject_type",
        "subject_id",
        "actor_user_id",
        "changes",
        "redacted_at",
    ]
    readonly_fields = fields

    @admin.display(description="actor (user id)", ordering="actor_id")
    def actor_user_id(self, entry: AuditEntry) -> int | None:
        return entry.actor_id


@admin.register(SecurityEvent)
class SecurityEventAdmin(_ReadOnlyAdmin):
    list_display = ["kind", "at", "event_user_id", "ip_address"]
    list_filter = ["kind", "at"]
    date_hierarchy = "at"
    ordering = ["-at", "-pk"]
    fields = ["kind", "at", "event_user_id", "ip_address", "user_agent", "email_hash", "details"]
    readonly_fields = fields

    @admin.display(description="user id", ordering="user_id")
    def event_user_id(self, event: SecurityEvent) -> int | None:
        return event.user_id
