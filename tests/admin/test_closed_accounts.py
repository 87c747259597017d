"""Platform staff restore a closed account within its hold, at the person's request:
found by its exact email address or mobile (one account, never a list), restored
through a confirmation page, recorded in the audit trail."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import account_close
from audit.models import AuditEntry
from tests.admin.platform_staff import platform_staff_member
from tests.factories import GuardianshipFactory, UserFactory

pytestmark = pytest.mark.django_db

FIND = reverse("admin:accounts_closedaccount_changelist")
PASSWORD = "correct-horse-battery"  # what UserFactory sets
MOBILE = "+447700900123"


@pytest.fixture
def closed_parent():
    parent = GuardianshipFactory(
        parent__first_name="Dana", parent__last_name="Ortiz", parent__mobile=MOBILE
    ).parent
    account_close(user=parent, actor=parent, reason="own_request")
    parent.refresh_from_db()
    return parent


def restore_link(page: str) -> str:
    return re.search(r'href="(/admin/accounts/closedaccount/restore/[^"]+)"', page).group(1)


def test_the_admin_index_offers_platform_staff_the_closed_accounts_page(platform_staff_client):
    page = platform_staff_client.get(reverse("admin:index")).content.decode()

    assert "Closed accounts" in page
    assert FIND in page


def test_the_page_lists_no_one_until_asked(platform_staff_client, closed_parent):
    page = platform_staff_client.get(FIND).content.decode()

    assert "Dana" not in page and closed_parent.email not in page


def test_an_exact_email_finds_the_one_closed_account_with_its_dates(
    platform_staff_client, closed_parent
):
    GuardianshipFactory(parent__first_name="Other", parent__closed_at=timezone.now())

    page = platform_staff_client.post(FIND, {"contact": closed_parent.email.upper()})

    html = page.content.decode()
    assert "Dana Ortiz" in html
    assert closed_parent.closed_at.strftime("%Y") in html
    assert f"{closed_parent.delete_after.day} " in html
    assert "Other" not in html
    assert "Restore this account" in html


def test_a_partial_email_or_an_open_account_finds_nothing(platform_staff_client, closed_parent):
    open_parent = GuardianshipFactory().parent

    partial = platform_staff_client.post(FIND, {"contact": closed_parent.email[:-3]})
    still_open = platform_staff_client.post(FIND, {"contact": open_parent.email})

    for response in (partial, still_open):
        html = response.content.decode()
        assert "No closed account has this email address" in html
        assert "Dana" not in html


def test_a_mobile_in_any_uk_format_finds_the_account(platform_staff_client, closed_parent):
    html = platform_staff_client.post(FIND, {"contact": "07700 900123"}).content.decode()

    assert "Dana Ortiz" in html


def test_a_mobile_two_closed_accounts_share_shows_neither(platform_staff_client, closed_parent):
    UserFactory(first_name="Sam", mobile=MOBILE, closed_at=timezone.now(), is_active=False)

    html = platform_staff_client.post(FIND, {"contact": MOBILE}).content.decode()

    assert "More than one closed account" in html
    assert "Dana" not in html and "Sam" not in html


def test_restoring_through_the_confirmation_page_reopens_the_account(
    platform_staff_client, platform_staff, closed_parent, client
):
    found = platform_staff_client.post(FIND, {"contact": closed_parent.email}).content.decode()
    confirm_url = restore_link(found)

    confirmation = platform_staff_client.get(confirm_url)
    closed_parent.refresh_from_db()
    assert closed_parent.closed_at is not None  # opening the page changes nothing
    response = platform_staff_client.post(confirm_url)

    assert "Yes, restore this account" in confirmation.content.decode()
    assert response.status_code == 302
    closed_parent.refresh_from_db()
    assert closed_parent.is_active
    assert closed_parent.closed_at is None and closed_parent.delete_after is None
    # Closed for inactivity or not, its idle time starts again from the restore.
    assert closed_parent.last_active_at >= timezone.now() - timedelta(minutes=1)
    entry = AuditEntry.objects.get(action="user.restore")
    assert entry.actor == platform_staff
    assert entry.subject_id == str(closed_parent.pk)
    # The parent signs in again with their password.
    client.post(reverse("account_login"), {"login": closed_parent.email, "password": PASSWORD})
    assert client.get(reverse("accounts:settings")).status_code == 200


def test_after_the_hold_the_page_says_it_can_no_longer_be_restored(platform_staff_client):
    parent = GuardianshipFactory(parent__first_name="Dana").parent
    account_close(
        user=parent, actor=parent, reason="own_request", now=timezone.now() - timedelta(days=91)
    )

    html = platform_staff_client.post(FIND, {"contact": parent.email}).content.decode()

    assert "it can no longer be restored" in html
    assert "/admin/accounts/closedaccount/restore/" not in html


def test_an_account_whose_hold_ended_after_the_search_is_not_restored(
    platform_staff_client, closed_parent
):
    found = platform_staff_client.post(FIND, {"contact": closed_parent.email}).content.decode()
    User.objects.filter(pk=closed_parent.pk).update(delete_after=timezone.now())

    response = platform_staff_client.post(restore_link(found))

    assert response.status_code == 409
    assert "it can no longer be restored" in response.content.decode()
    closed_parent.refresh_from_db()
    assert closed_parent.closed_at is not None
    assert not AuditEntry.objects.filter(action="user.restore").exists()


def test_a_made_up_restore_link_is_not_found(platform_staff_client, closed_parent):
    made_up = f"/admin/accounts/closedaccount/restore/{closed_parent.pk}/"

    response = platform_staff_client.get(made_up)
    assert response.status_code == 404


def test_staff_without_the_permission_are_refused(staff_client, closed_parent):
    found_by_allowed = platform_staff_member()
    allowed = staff_client(found_by_allowed)
    link = restore_link(allowed.post(FIND, {"contact": closed_parent.email}).content.decode())
    allowed.logout()
    without = platform_staff_member()
    without.groups.first().permissions.remove(
        Permission.objects.get(codename="restore_closed_account")
    )
    client = staff_client(User.objects.get(pk=without.pk))

    assert client.get(FIND).status_code == 403
    assert client.post(FIND, {"contact": closed_parent.email}).status_code == 403
    assert client.post(link).status_code == 403
    closed_parent.refresh_from_db()
    assert closed_parent.closed_at is not None


def test_school_staff_and_parents_never_reach_the_page(client, staff_client, closed_parent):
    parent = GuardianshipFactory().parent
    client.force_login(parent)
    assert client.get(FIND).status_code == 302  # the admin sends them to sign in
    school_admin = UserFactory()
    school_admin.memberships.create(school=parent.guardianships.get().pupil.school, role="admin")
    assert staff_client(school_admin).get(FIND).status_code == 302
