"""Password reset and set-password pages in the portal's style, and their emails
through the message outbox."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.services import password_set_url
from notifications.models import Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_reset_page_looks_like_the_portal_and_names_who_to_contact(client):
    page = client.get(reverse("account_reset_password")).content.decode()

    assert 'class="site-header"' in page
    assert "<h1>Reset your password</h1>" in page
    assert "contact your child's school" in page
    assert "ask your school's admin" in page
    assert "contact us" not in page.lower()


def test_the_reset_email_goes_through_the_outbox(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="ann@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "ann@example.org"})

    assert response["Location"] == reverse("account_reset_password_done")
    message = Message.objects.get(to_address="ann@example.org")
    assert message.recipient == user
    assert message.reference == "account-email:password_reset_key"
    assert message.status == Message.Status.SENT
    assert "/accounts/password/reset/key/" in message.body_text
    assert mail.outbox[0].subject == "Home Learning Portal: Choose a new password"
    done = client.get(response["Location"]).content.decode()
    assert "Check your email" in done and "ask your school's admin" in done


def test_a_reset_email_that_fails_stays_in_the_outbox_to_be_retried(
    client, settings, django_capture_on_commit_callbacks
):
    UserFactory(email="ann@example.org")
    settings.EMAIL_BACKEND = "tests.accounts.test_password_pages.BrokenBackend"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "ann@example.org"})

    message = Message.objects.get(to_address="ann@example.org")
    assert message.status == Message.Status.PENDING
    assert message.attempts >= 1, "tried, and left pending for the next try"


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_new_staff_member_who_chose_a_password_gets_a_sign_in_link(client):
    user = UserFactory(email="new@example.org")
    user.set_unusable_password()
    user.save()
    link = re.sub(r"^https?://[^/]+", "", password_set_url(user=user))

    form_url = client.get(link)["Location"]
    form_page = client.get(form_url).content.decode()
    done = client.post(
        form_url,
        {"password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"},
        follow=True,
    )

    assert 'class="site-header"' in form_page and "Choose your password" in form_page
    page = done.content.decode()
    assert "Your password is saved" in page
    assert f'<a class="button" href="{reverse("account_login")}">Sign in</a>' in page


def test_choosing_a_password_from_the_link_sends_no_confusing_reset_notice(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="new@example.org")
    link = re.sub(r"^https?://[^/]+", "", password_set_url(user=user))
    form_url = client.get(link)["Location"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            form_url, {"password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"}
        )

    assert not Message.objects.filter(to_address="new@example.org").exists()
