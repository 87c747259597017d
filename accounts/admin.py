from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["school"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "processing_restricted"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = [
        "last_login",
        "date_joined",
        "last_active_at",
        "closure_notice_at",
        "closed_at",
        "delete_after",
    ]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Personal details",
            {"fields": ["first_name", "last_name", "mobile", "preferred_language"]},
        ),
        (
            "Status",
            {
                "fields": [
                    "is_active",
                    "processing_restricted",
                    "closure_notice_at",
                    "closed_at",
                    "delete_after",
                ]
            },
        ),
        ("Platform staff", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined", "last_active_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
