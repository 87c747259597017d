"""Sign-in limits that suit a school's network: many families and staff share one
public address, so the per-account limit does the protecting, the per-address one
is far above a busy school's, and behind trusted proxies the client's address
counts, not the proxy's."""

import pytest
from django.test import RequestFactory

from accounts.clients import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN_URL = "/accounts/login/"


def _log_in(client, email, password, **headers):
    return client.post(LOGIN_URL, {"login": email, "password": password}, **headers)


def test_eight_wrong_passwords_for_one_account_leave_another_account_alone(client):
    UserFactory(email="a@example.org")
    UserFactory(email="b@example.org")
    for _ in range(8):
        _log_in(client, "a@example.org", "wrong-guess")
    # B mistypes twice, as people do, before getting it right.
    for _ in range(2):
        _log_in(client, "b@example.org", "wrong-typo")

    other = _log_in(client, "b@example.org", PASSWORD)

    assert other.status_code == 302


def test_the_sixth_try_in_five_minutes_is_refused_with_when_to_try_again(client):
    UserFactory(email="a@example.org")
    for attempt in range(5):
        response = _log_in(client, "a@example.org", "wrong-guess")
        assert "Too many" not in response.content.decode(), attempt

    refused = _log_in(client, "a@example.org", PASSWORD)

    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Too many failed sign-in attempts for this account" in page
    assert "Try again in 5 minutes" in page
    assert not refused.wsgi_request.user.is_authenticated


def test_one_address_may_fail_far_more_often_than_a_busy_school_does(client):
    UserFactory(email="last@example.org")
    # A hundred wrong passwords a minute, for different accounts, from one address.
    for attempt in range(99):
        _log_in(client, f"guess{attempt}@example.org", "wrong-guess")

    assert _log_in(client, "last@example.org", PASSWORD).status_code == 302


def test_past_the_address_limit_the_message_says_when_to_try_again(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "5/5m/key,3/m/ip",
    }
    UserFactory(email="last@example.org")
    for attempt in range(3):
        _log_in(client, f"guess{attempt}@example.org", "wrong-guess")

    refused = _log_in(client, "last@example.org", PASSWORD).content.decode()

    assert "Try again in 1 minute" in refused


@pytest.fixture
def tight_address_limit(settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "5/5m/key,3/m/ip",
    }


def _fail_three_times(client, address):
    for attempt in range(3):
        _log_in(
            client,
            f"guess{attempt}@example.org",
            "wrong",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=address,
        )


def test_behind_a_trusted_proxy_two_clients_are_limited_separately(
    client, settings, tight_address_limit
):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="b@example.org")
    _fail_three_times(client, "198.51.100.1")

    same_client = _log_in(
        client,
        "b@example.org",
        PASSWORD,
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    other_client = _log_in(
        client,
        "b@example.org",
        PASSWORD,
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )

    assert "Too many" in same_client.content.decode()
    assert other_client.status_code == 302


def test_without_trusted_proxies_the_forwarded_header_cannot_dodge_the_limit(
    client, settings, tight_address_limit
):
    settings.TRUSTED_PROXY_COUNT = 0
    UserFactory(email="b@example.org")
    _fail_three_times(client, "198.51.100.1")

    spoofed = _log_in(
        client,
        "b@example.org",
        PASSWORD,
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )

    assert "Too many" in spoofed.content.decode()


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1"),
        (1, "198.51.100.7", "198.51.100.7"),
        # A client writing the header itself: only the entry our proxy added counts.
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        # Came in through the inner proxy only: it wrote the one entry.
        (2, "198.51.100.7", "198.51.100.7"),
        (1, "", "10.0.0.1"),
        (1, "not-an-address", None),
    ],
)
def test_client_ip(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **headers)

    assert client_ip(request) == expected


def test_trusted_proxy_count_feeds_allauth():
    from django.conf import settings

    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT
