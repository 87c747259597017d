"""Signing in with allauth: email and password, reset by email, rate limits, no sign-up."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import GuardianshipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN_URL = "/accounts/login/"


def _log_in(client, email, password):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def _signed_in_user(client):
    return client.get(reverse("accounts:home")).wsgi_request.user


def test_login_page_asks_for_email_and_password(client):
    html = client.get(LOGIN_URL).content.decode()

    assert 'name="login"' in html
    assert 'type="email"' in html
    assert 'name="password"' in html


@pytest.mark.parametrize("typed", ["ann@example.org", "ANN@Example.ORG", "  Ann@example.org"])
def test_login_with_email_and_password_ignores_email_case(client, typed):
    user = UserFactory(email="ann@example.org")

    response = _log_in(client, typed, PASSWORD)

    assert response.status_code == 302
    assert _signed_in_user(client) == user


def test_wrong_password_does_not_sign_in(client):
    UserFactory(email="ann@example.org")

    response = _log_in(client, "ann@example.org", "not-the-password")

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert not _signed_in_user(client).is_authenticated


def test_sign_up_is_closed(client):
    before = User.objects.count()

    page = client.get("/accounts/signup/")
    posted = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "password1": "A-long-new-pass-123",
            "password2": "A-long-new-pass-123",
        },
    )

    assert "Sign Up Closed" in page.content.decode()
    assert "Sign Up Closed" in posted.content.decode()
    assert User.objects.count() == before
    assert not User.objects.filter(email="new@example.org").exists()


@pytest.fixture
def ask_reset(client, django_capture_on_commit_callbacks):
    """Post the reset form; the email goes through the outbox, delivered on commit."""

    def ask(email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/accounts/password/reset/", {"email": email})

    return ask


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _set_password_from_link(client, link, password):
    response = client.get(link)
    assert response.status_code == 302, "the key moves into the session"
    form_url = response["Location"]
    return client.post(form_url, {"password1": password, "password2": password})


def test_password_reset_by_email_lets_the_user_choose_a_new_password(client, ask_reset):
    user = UserFactory(email="ann@example.org")

    ask_reset("ANN@example.org")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ann@example.org"]
    link = _reset_link(mail.outbox[0])
    done = _set_password_from_link(client, link, "a-brand-new-secret-42")
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-secret-42")

    assert _log_in(client, "ann@example.org", PASSWORD).status_code == 200
    assert _log_in(client, "ann@example.org", "a-brand-new-secret-42").status_code == 302
    assert _signed_in_user(client) == user


def test_password_reset_link_works_once(client, ask_reset):
    UserFactory(email="ann@example.org")
    ask_reset("ann@example.org")
    link = _reset_link(mail.outbox[0])
    _set_password_from_link(client, link, "a-brand-new-secret-42")
    client.logout()

    again = client.get(link)

    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()
    assert again.context["token_fail"] is True


def test_password_reset_for_an_unknown_email_reveals_nothing_and_sends_no_link(client, ask_reset):
    response = ask_reset("nobody@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_unknown_account_email_does_not_offer_the_closed_sign_up(client, ask_reset):
    ask_reset("nobody@example.org")

    assert len(mail.outbox) == 1
    assert "/accounts/signup/" not in mail.outbox[0].body
    assert "invitation" in mail.outbox[0].body


def test_rate_limits_are_configured():
    limits = settings.ACCOUNT_RATE_LIMITS

    assert limits is not False
    assert "login_failed" in limits
    assert "reset_password" in limits


def test_many_login_posts_from_one_address_get_429(client):
    per_ip = int(settings.ACCOUNT_RATE_LIMITS["login"].split("/")[0])

    statuses = [_log_in(client, f"x{n}@example.org", "").status_code for n in range(per_ip + 1)]

    assert 429 not in statuses[:per_ip]
    assert statuses[-1] == 429


def test_parent_reaches_their_children_with_a_password_only(client):
    guardianship = GuardianshipFactory(parent__email="parent@example.org")

    response = _log_in(client, "parent@example.org", PASSWORD)
    assert response.status_code == 302
    home = client.get(response["Location"], follow=True)

    assert home.redirect_chain[-1][0] == reverse("schools:parent_home")
    assert guardianship.pupil.full_name in home.content.decode()
    assert "two-factor" not in home.redirect_chain[-1][0]


def _imported_parent(**fields):
    parent = UserFactory(email="imported@example.org", is_active=False, **fields)
    GuardianshipFactory(parent=parent, confirmed_at=None)
    return parent


def test_inactive_imported_parent_cannot_log_in(client):
    parent = _imported_parent()
    parent.set_password(PASSWORD)  # even if a password were somehow known
    parent.save()

    response = _log_in(client, "imported@example.org", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert not _signed_in_user(client).is_authenticated


def test_inactive_imported_parent_gets_no_reset_link(client, ask_reset):
    parent = _imported_parent()

    response = ask_reset("imported@example.org")

    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)
    parent.refresh_from_db()
    assert not parent.is_active


def test_sign_out_ends_the_session(client):
    UserFactory(email="ann@example.org")
    _log_in(client, "ann@example.org", PASSWORD)

    client.post("/accounts/logout/")

    assert not _signed_in_user(client).is_authenticated
