"""Sign-in is required by default (LoginRequiredMiddleware): every URL pattern the
portal serves, the Django admin's and allauth's included, either is on the public
list below or answers a signed-out visitor with a redirect to the sign-in page.

A new view is private unless marked ``login_not_required`` *and* listed here, so
adding a public page is a decision someone has to write down twice.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

pytestmark = pytest.mark.django_db

# Every view a signed-out visitor may open.
PUBLIC = {
    "accounts:healthz",
    "accounts:closed",  # where closing one's own account lands, signed out
    "invitations:accept",
    "invitations:join",  # the page an invitation link leads to, without its token
    "invitations:sign_out",  # signing out from it keeps the invitation open
    "consent:privacy_notice",
    "consent:privacy_notice_version",
    "consent:cookie_settings",
    "consent:cookie_choice",  # the cookie banner's form, shown on the sign-in page too
    "notifications:notify_delivery_receipt",  # GOV.UK Notify, with its bearer token
    "notifications:outbox",  # development only: a 404 unless DEBUG is on
    "notifications:outbox_html",  # an email in the outbox page's frame: the same
    # A stop link from a news email or text, and its page's "turn them back on":
    # the signed token is the key, so no sign-in stands between a family and it.
    "notifications:stop",
    "notifications:stop_undo",
    "privacy:erased",  # where a person lands, signed out, after erasing their data
    # allauth: signing in and out, and resetting a password.
    "account_login",
    "account_logout",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    # allauth's pages for features the portal leaves off (open sign-up, email
    # confirmation, sign-in codes): each says so, or refuses, to anyone.
    "account_signup",
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
}

SAMPLE = {"int": "1", "str": "sample", "slug": "sample", "path": "sample/1", "uuid": "0" * 32}


def _route_url(route: str) -> str:
    return re.sub(
        r"<(?:(\w+):)?\w+>", lambda match: SAMPLE.get(match.group(1) or "str", "sample"), route
    )


def _regex_url(regex: str) -> str:
    """A path the regex matches: each group becomes digits, anchors go."""
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", regex)
    return text.replace("^", "").replace("$", "").replace("\\", "")


def _patterns(patterns=None, prefix="", namespace=None):
    """(name, url) for every URL pattern, nested ones included."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        piece = pattern.pattern
        if isinstance(piece, RoutePattern):
            part = _route_url(str(piece))
        elif isinstance(piece, RegexPattern):
            part = _regex_url(str(piece))
        else:  # pragma: no cover - Django has no other kind
            raise AssertionError(f"Unknown pattern {piece!r}")
        if isinstance(pattern, URLResolver):
            yield from _patterns(
                pattern.url_patterns, prefix + part, pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name or f"(unnamed {prefix + part})", "/" + prefix + part


ALL = list(_patterns())


def _is_sign_in_redirect(response, path: str) -> bool:
    if response.status_code != 302:
        return False
    target = urlsplit(response["Location"])
    return target.path == reverse("account_login") and parse_qs(target.query).get("next") == [path]


def test_every_pattern_is_seen():
    names = {name for name, _ in ALL}
    assert len(ALL) > 100  # the admin's patterns included
    assert {"learning:child_space", "admin:index", "account_login"} <= names
    assert names >= PUBLIC, f"Listed as public but not served: {sorted(PUBLIC - names)}"


@pytest.mark.parametrize(("name", "path"), ALL, ids=[name for name, _ in ALL])
def test_a_signed_out_visitor_is_sent_to_sign_in_except_on_public_pages(client, name, path):
    assert resolve(urlsplit(path).path)  # the sample path really is this pattern's
    if name in PUBLIC:
        return
    for method in (client.get, client.post):
        response = method(path)
        assert _is_sign_in_redirect(response, path), (
            f"{name} ({path}) answered a signed-out {method.__name__.upper()} with "
            f"{response.status_code} {response.get('Location', '')}, not a redirect to sign in"
        )


@pytest.mark.parametrize("name", sorted(PUBLIC - {"account_logout"}))
def test_public_pages_open_without_signing_in(client, name):
    path = dict(ALL)[name]
    response = client.get(path)
    assert not _is_sign_in_redirect(response, path)


def test_the_django_admin_signs_in_through_the_portals_sign_in_page(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _cache_directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}


def test_pages_for_a_signed_in_user_are_never_kept_by_a_browser_or_proxy(client):
    from tests.factories import GuardianshipFactory

    guardianship = GuardianshipFactory()
    client.force_login(guardianship.parent)
    for path in (
        reverse("schools:parent_home"),
        reverse("learning:child_space", args=[guardianship.pupil.pk]),
        reverse("consent:privacy_notice"),  # public, but this visitor is signed in
        reverse("learning:child_space", args=[guardianship.pupil.pk + 1000]),  # a 404
    ):
        response = client.get(path)
        assert {"private", "no-store"} <= _cache_directives(response), path
        assert "public" not in _cache_directives(response)


def test_staff_pages_and_redirects_carry_it_too(staff_client):
    from tests.factories import SchoolFactory, admin_of

    school = SchoolFactory()
    client = staff_client(admin_of(school))
    for path in (reverse("schools:school_overview", args=[school.pk]), reverse("accounts:home")):
        response = client.get(path)
        assert {"private", "no-store"} <= _cache_directives(response), path


def test_a_signed_out_visitor_gets_no_such_header_on_public_pages(client):
    response = client.get(reverse("consent:privacy_notice"))
    assert "no-store" not in _cache_directives(response)


def test_allauths_own_sessions_list_leads_to_account_settings(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    response = client.get("/accounts/sessions/")

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:settings')}#sessions-title"
