"""Accounts in the Django admin: users (superusers only), and the page where
platform staff find one closed account and restore it within its hold."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts import access
from accounts.admin_site import LookOnlyAdmin
from accounts.forms import ClosedAccountFindForm
from accounts.models import ClosedAccount, Membership, User
from accounts.selectors import closed_account_find
from accounts.services import ClosingError, account_restore, restore_refusal

# The restore page is reached from a search, through a signed link that names the
# account and lapses: account ids cannot be walked to list closed families.
RESTORE_SALT = "accounts.closed-account-restore"
RESTORE_LINK_MAX_AGE = 30 * 60


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


@admin.register(ClosedAccount)
class ClosedAccountAdmin(LookOnlyAdmin):
    """Find one closed account by its exact email address or mobile (never a list),
    then restore it through a confirmation page. For platform staff holding
    ``accounts.restore_closed_account``."""

    may_view = staticmethod(access.can_restore_closed_accounts)

    def get_urls(self):
        find = self.admin_site.admin_view(self.find_view)
        return [
            path("", find, name="accounts_closedaccount_changelist"),
            path(
                "restore/<str:token>/",
                self.admin_site.admin_view(self.restore_view),
                name="accounts_closedaccount_restore",
            ),
        ]

    def _context(self, request, **context) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **context}

    def find_view(self, request):
        if not access.can_restore_closed_accounts(request.user):
            raise PermissionDenied
        # Posted, not in the address: an email or mobile does not belong in logs.
        form = ClosedAccountFindForm(request.POST if request.method == "POST" else None)
        searched = match = refusal = restore_url = None
        if form.is_bound and form.is_valid():
            searched = True
            match = closed_account_find(**form.cleaned_data["contact"])
            if match.account is not None:
                refusal = restore_refusal(user=match.account)
                if not refusal:
                    token = signing.dumps(match.account.pk, salt=RESTORE_SALT)
                    restore_url = reverse("admin:accounts_closedaccount_restore", args=[token])
        context = self._context(
            request,
            title="Find a closed account",
            form=form,
            searched=searched,
            match=match,
            refusal=refusal,
            restore_url=restore_url,
        )
        return TemplateResponse(request, "admin/accounts/closedaccount/find.html", context)

    def restore_view(self, request, token: str):
        if not access.can_restore_closed_accounts(request.user):
            raise PermissionDenied
        try:
            user_id = signing.loads(token, salt=RESTORE_SALT, max_age=RESTORE_LINK_MAX_AGE)
        except signing.BadSignature as error:
            raise Http404("This link has lapsed: find the account again.") from error
        account = User.objects.filter(pk=user_id, closed_at__isnull=False).first()
        if account is None:
            raise Http404("This account is not closed.")
        find_url = reverse("admin:accounts_closedaccount_changelist")
        refusal = restore_refusal(user=account)
        if request.method == "POST" and not refusal:
            try:
                account_restore(user=account, actor=request.user)
            except ClosingError as error:
                refusal = str(error)
            else:
                self.message_user(
                    request,
                    f"The account of {account.get_full_name()} is open again: they sign in "
                    "with their password as before (or reset it).",
                    messages.SUCCESS,
                )
                return redirect(find_url)
        context = self._context(
            request,
            title="Restore a closed account",
            account=account,
            refusal=refusal,
            find_url=find_url,
        )
        status = 409 if refusal and request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/accounts/closedaccount/restore.html", context, status=status
        )
