"""Behind a TLS proxy the invitation-guess limit counts each family's address,
not the proxy's: one family's mistyped links lock out that family alone. The
address comes from accounts.clients.client_ip, as allauth's sign-in limits' does."""

import pytest
from django.urls import reverse

from invitations.services import invitations_create
from invitations.views import accept as accept_views
from tests.factories import PupilFactory, SchoolFactory, admin_of
from tests.invitations.test_invitations import imported_parent, link_unconfirmed, token_from_outbox

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
FAMILY = "198.51.100.1"
ANOTHER_FAMILY = "198.51.100.2"


def link(token: str) -> str:
    return reverse("invitations:accept", args=[token])


@pytest.fixture
def valid_token(django_capture_on_commit_callbacks):
    school = SchoolFactory()
    parent = imported_parent(email="parent@example.org")
    child = PupilFactory(school=school)
    link_unconfirmed(parent, child)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(school=school, pupils=[child], channels="email", actor=admin_of(school))
    return token_from_outbox()


def through_proxy(client, token: str, forwarded_for: str):
    return client.get(link(token), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_one_proxy_a_family_that_mistypes_links_locks_out_only_itself(
    client, settings, valid_token
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(accept_views.GUESS_LIMIT):
        assert through_proxy(client, f"mistyped-{n}", FAMILY).status_code == 404

    locked = through_proxy(client, valid_token, FAMILY)
    other_family = through_proxy(client, valid_token, ANOTHER_FAMILY)
    other_family_guess = through_proxy(client, "mistyped-once", ANOTHER_FAMILY)

    assert locked.status_code == 429
    assert other_family.status_code != 429
    assert other_family.status_code in {200, 302}
    assert other_family_guess.status_code == 404


def test_a_client_cannot_dodge_the_limit_by_writing_the_header_itself(
    client, settings, valid_token
):
    """The proxy appends the address it saw; entries to its left are the client's own."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(accept_views.GUESS_LIMIT):
        through_proxy(client, f"guess-{n}", f"203.0.113.{n + 1}, {FAMILY}")

    assert through_proxy(client, valid_token, f"203.0.113.200, {FAMILY}").status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, settings, valid_token):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(accept_views.GUESS_LIMIT):
        through_proxy(client, f"guess-{n}", f"198.51.100.{n + 1}")

    assert through_proxy(client, valid_token, ANOTHER_FAMILY).status_code == 429
