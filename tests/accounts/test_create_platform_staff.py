"""The first day: `manage.py create_platform_staff EMAIL` invites a platform staff
account by email. It chooses its password from the link, enrols an authenticator
app at its first sign-in, and then holds exactly the Platform staff group."""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.admin_site import PLATFORM_STAFF_GROUP
from accounts.models import User
from audit.models import AuditEntry
from notifications.models import Message
from tests.admin.platform_staff import PLATFORM_STAFF_PERMISSIONS, platform_staff_group
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-secret-42"


@pytest.fixture
def invite(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://portal.example.org"
    platform_staff_group()

    def run(*args):
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("create_platform_staff", *args, stdout=out)
        return out.getvalue()

    return run


def password_link(body: str) -> str:
    links = re.findall(
        r"https://portal\.example\.org(/accounts/password/reset/key/[^\s\"<]+)", body
    )
    (link,) = set(links)
    return link


def test_the_command_makes_a_staff_account_in_the_platform_staff_group_only(invite):
    output = invite("Ops.Lead@Example.org", "--first-name", "Robin")

    user = User.objects.get(email="ops.lead@example.org")
    assert "Invited ops.lead@example.org as platform staff" in output
    assert user.is_staff and user.is_active and not user.is_superuser
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [PLATFORM_STAFF_GROUP]
    assert user.get_all_permissions() == PLATFORM_STAFF_PERMISSIONS
    assert not user.memberships.exists()


def test_the_invitation_email_goes_through_the_outbox_with_a_link_on_site_url(invite):
    invite("ops@example.org", "--first-name", "Robin")

    message = Message.objects.get()
    assert (message.channel, message.kind, message.template) == (
        "email",
        "service",
        "platform_staff_invited",
    )
    assert message.status == Message.Status.SENT
    assert message.recipient == User.objects.get(email="ops@example.org")
    assert "Hello Robin," in message.body_text
    assert "https://portal.example.org/admin/" in message.body_text
    (sent,) = mail.outbox
    assert sent.to == ["ops@example.org"]
    html, _ = sent.alternatives[0]
    assert password_link(sent.body) == password_link(html)


def test_the_invited_account_chooses_a_password_then_must_enrol_an_authenticator(invite, client):
    invite("ops@example.org")
    form_url = client.get(password_link(mail.outbox[0].body))["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    signed_in = client.post(
        reverse("account_login"), {"login": "ops@example.org", "password": NEW_PASSWORD}
    )
    admin_page = client.get(reverse("admin:index"))

    assert signed_in.status_code == 302
    assert admin_page.status_code == 302
    assert admin_page["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_the_invitation_is_audited_as_system_work_without_the_address(invite):
    invite("ops@example.org")

    (entry,) = AuditEntry.objects.filter(action="platform_staff.invite")
    user = User.objects.get(email="ops@example.org")
    assert entry.actor is None
    assert (entry.subject_type, entry.subject_id) == ("accounts.user", str(user.pk))
    assert "ops@example.org" not in str(entry.changes)


def test_an_address_already_in_use_is_refused_and_nothing_changes(invite):
    parent = UserFactory(email="parent@example.org")

    with pytest.raises(CommandError, match="already belongs to an account"):
        invite("Parent@Example.org")

    parent.refresh_from_db()
    assert not parent.is_staff and not parent.groups.exists()
    assert not Message.objects.exists()
    assert not AuditEntry.objects.filter(action="platform_staff.invite").exists()


def test_an_address_another_account_has_confirmed_is_refused(invite):
    parent = UserFactory(email="old@example.org")
    EmailAddress.objects.create(user=parent, email="new@example.org", verified=True)

    with pytest.raises(CommandError, match="already belongs to an account"):
        invite("new@example.org")

    assert not User.objects.filter(email="new@example.org").exists()


def test_running_it_twice_invites_once(invite):
    invite("ops@example.org")

    with pytest.raises(CommandError, match="no account was created"):
        invite("ops@example.org")

    assert User.objects.filter(email__iexact="ops@example.org").count() == 1
    assert Message.objects.count() == 1
    assert AuditEntry.objects.filter(action="platform_staff.invite").count() == 1


def test_a_badly_formed_address_is_refused(invite):
    with pytest.raises(CommandError, match="not a valid email address"):
        invite("not-an-address")

    assert not User.objects.exists()


def test_without_the_platform_staff_group_it_says_to_migrate(invite):
    Group.objects.filter(name=PLATFORM_STAFF_GROUP).delete()

    with pytest.raises(CommandError, match="run migrate"):
        invite("ops@example.org")

    assert not User.objects.exists()
