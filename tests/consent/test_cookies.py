"""Cookies: a banner with a real choice, nothing optional before it, a page that lists
every cookie, and the choice kept (a cookie for visitors, the ledger for users)."""

import html as html_lib
import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from consent.cookies import (
    CATEGORY_DESCRIPTION,
    PREFERENCES_COOKIE,
    Category,
    cookies_allowed,
    declared_cookies,
    necessary_cookie_names,
)
from consent.models import ConsentRecord, Method, Purpose
from consent.services import consent_grant
from tests.consent.notices import published_notice, registered_parent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BANNER = "Cookies on the Home Learning Portal"
PASSWORD = "correct-horse-battery"  # what UserFactory sets


def choose(client, decision, next_path="/privacy/notice/", **boxes):
    data = {"decision": decision, "source": "banner", "next": next_path}
    data.update({name: "on" for name, ticked in boxes.items() if ticked})
    return client.post(reverse("consent:cookie_choice"), data)


def request_with(cookie_value=None, user=None):
    request = RequestFactory().get("/")
    if cookie_value is not None:
        request.COOKIES[PREFERENCES_COOKIE] = cookie_value
    from django.contrib.auth.models import AnonymousUser

    request.user = user or AnonymousUser()
    return request


# The banner.


def test_a_visitor_sees_the_banner_with_both_optional_boxes_unticked(client):
    page = client.get(reverse("account_login")).content.decode()

    assert BANNER in page
    assert f'action="{reverse("consent:cookie_choice")}"' in page
    for name in ("performance", "functional"):
        box = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', page).group(0)
        assert "checked" not in box
        assert f'<label for="banner-{name}">' in page
    for button in ("Accept all cookies", "Reject optional cookies", "Save my choices"):
        assert button in page


def test_the_banner_shows_the_words_that_are_recorded(client):
    page = html_lib.unescape(client.get(reverse("account_login")).content.decode())

    assert CATEGORY_DESCRIPTION[Category.PERFORMANCE] in page
    assert CATEGORY_DESCRIPTION[Category.FUNCTIONAL] in page


def test_after_a_choice_the_banner_is_gone(client):
    choose(client, "reject")

    assert BANNER not in client.get(reverse("account_login")).content.decode()


def test_the_banner_is_not_repeated_on_the_cookie_settings_page(client):
    page = client.get(reverse("consent:cookie_settings")).content.decode()

    assert BANNER not in page
    assert page.count(f'action="{reverse("consent:cookie_choice")}"') == 1


def test_pages_load_no_inline_script(client):
    for url in [
        reverse("account_login"),
        reverse("consent:cookie_settings"),
        reverse("consent:privacy_notice"),
    ]:
        page = client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", page):
            assert "src=" in tag, (url, tag)


# The choice.


@pytest.mark.parametrize(
    ("decision", "boxes", "stored"),
    [
        ("accept", {}, "performance:1|functional:1"),
        ("reject", {"performance": True, "functional": True}, "performance:0|functional:0"),
        ("save", {"functional": True}, "performance:0|functional:1"),
        ("save", {}, "performance:0|functional:0"),
    ],
)
def test_a_visitors_choice_is_kept_in_a_cookie(client, decision, boxes, stored):
    response = choose(client, decision, **boxes)

    assert response.status_code == 302
    assert response.url == "/privacy/notice/"
    cookie = response.cookies[PREFERENCES_COOKIE]
    assert cookie.value == stored
    assert f"{PREFERENCES_COOKIE}={stored};" in cookie.OutputString()  # sent unquoted
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 365 * 24 * 3600
    assert ConsentRecord.objects.count() == 0


def test_the_choice_goes_back_only_to_this_site(client):
    response = choose(client, "reject", next_path="https://elsewhere.example/")

    assert response.url == reverse("consent:cookie_settings")


def test_an_unknown_decision_saves_nothing(client):
    response = choose(client, "sell-everything")

    assert response.status_code == 400
    assert PREFERENCES_COOKIE not in response.cookies


def test_the_choice_is_posted_with_a_csrf_token():
    client = Client(enforce_csrf_checks=True)

    response = choose(client, "accept")

    assert response.status_code == 403
    assert PREFERENCES_COOKIE not in response.cookies


def test_the_script_gets_json_back_instead_of_a_redirect(client):
    response = client.post(
        reverse("consent:cookie_choice"),
        {"decision": "accept", "source": "banner", "next": "/"},
        headers={"X-Requested-With": "fetch"},
    )

    assert response.status_code == 200
    assert response.json() == {"saved": True, "message": "Your cookie choices were saved."}
    assert response.cookies[PREFERENCES_COOKIE].value == "performance:1|functional:1"


def test_a_signed_in_users_choice_goes_in_the_ledger_with_the_words_shown(client):
    parent = registered_parent(published_notice())
    client.force_login(parent)

    choose(client, "save", functional=True)

    records = {
        r.purpose: r for r in ConsentRecord.objects.filter(user=parent).exclude(purpose="platform")
    }
    assert {p: r.granted for p, r in records.items()} == {
        Purpose.COOKIES_PERFORMANCE: False,
        Purpose.COOKIES_FUNCTIONAL: True,
    }
    assert {r.method for r in records.values()} == {Method.BANNER}
    assert records[Purpose.COOKIES_FUNCTIONAL].wording == CATEGORY_DESCRIPTION[Category.FUNCTIONAL]
    assert records[Purpose.COOKIES_FUNCTIONAL].notice is None


def test_a_signed_in_user_changing_one_category_adds_one_record(client):
    parent = registered_parent(published_notice())
    client.force_login(parent)
    choose(client, "reject")

    client.post(reverse("consent:cookie_choice"), {"decision": "save", "performance": "on"})
    client.post(reverse("consent:cookie_choice"), {"decision": "save", "performance": "on"})

    performance = ConsentRecord.objects.filter(user=parent, purpose=Purpose.COOKIES_PERFORMANCE)
    assert [r.granted for r in performance.order_by("id")] == [False, True]
    assert performance.latest("id").method == Method.SETTINGS
    assert (
        ConsentRecord.objects.filter(user=parent, purpose=Purpose.COOKIES_FUNCTIONAL).count() == 1
    )


# cookies_allowed: the one question code asks before setting an optional cookie.


def test_before_any_choice_only_necessary_cookies_are_allowed():
    request = request_with()

    assert cookies_allowed(request, Category.NECESSARY) is True
    assert cookies_allowed(request, Category.PERFORMANCE) is False
    assert cookies_allowed(request, Category.FUNCTIONAL) is False


def test_a_visitors_cookie_says_what_is_allowed():
    request = request_with("performance:1|functional:0")

    assert cookies_allowed(request, Category.PERFORMANCE) is True
    assert cookies_allowed(request, Category.FUNCTIONAL) is False


@pytest.mark.parametrize(
    "value", ["", "garbage", "performance:1", "performance:yes|functional:0", "performance=1"]
)
def test_an_unreadable_cookie_allows_nothing_optional(value):
    request = request_with(value)

    assert cookies_allowed(request, Category.PERFORMANCE) is False


def test_a_signed_in_users_ledger_wins_over_the_device_cookie():
    user = UserFactory()
    consent_grant(
        user=user, purpose=Purpose.COOKIES_FUNCTIONAL, wording="x", method=Method.SETTINGS
    )

    request = request_with("performance:1|functional:0", user=user)

    assert cookies_allowed(request, Category.FUNCTIONAL) is True
    assert cookies_allowed(request, Category.PERFORMANCE) is False


def test_a_signed_in_user_without_records_keeps_the_choice_made_on_the_device(client):
    user = UserFactory()
    client.cookies[PREFERENCES_COOKIE] = "performance:0|functional:1"
    client.force_login(user)

    page = client.get(reverse("consent:cookie_settings")).content.decode()

    assert BANNER not in client.get(reverse("consent:privacy_notice")).content.decode()
    assert re.search(r'<input type="checkbox" name="functional"[^>]* checked>', page)
    assert not re.search(r'<input type="checkbox" name="performance"[^>]* checked>', page)


def test_a_withdrawal_applies_on_the_next_request(client):
    user = UserFactory()
    client.force_login(user)
    choose(client, "accept")
    choose(client, "reject")

    request = client.get(reverse("consent:cookie_settings")).wsgi_request

    assert cookies_allowed(request, Category.PERFORMANCE) is False


# Nothing optional is set before consent.


def test_every_cookie_set_before_a_choice_is_declared_necessary(client):
    published_notice()
    user = UserFactory(email="nessa.pryor@example.org")
    necessary = necessary_cookie_names()
    seen: set[str] = set()

    def visit(method, url, data=None):
        response = getattr(client, method)(url, data or {})
        names = set(response.cookies)
        assert names <= necessary, (url, names - necessary)
        seen.update(names)
        return response

    visit("get", reverse("account_login"))
    visit("get", reverse("consent:privacy_notice"))
    visit("get", reverse("consent:cookie_settings"))
    visit("get", "/no-such-page/")
    visit("post", reverse("account_login"), {"login": user.email, "password": "wrong"})
    visit("post", reverse("account_login"), {"login": user.email, "password": PASSWORD})
    visit("get", reverse("accounts:home"))
    visit("get", reverse("consent:privacy_consents"))
    visit(
        "post",
        reverse("consent:privacy_consent_change"),
        {"purpose": Purpose.MARKETING_EMAIL, "action": "grant"},
    )
    visit("get", reverse("consent:privacy_consents"))
    visit("post", reverse("account_logout"))
    client.force_login(registered_parent())
    visit("get", reverse("schools:parent_home"))

    assert {"sessionid", "csrftoken", "messages"} <= seen  # real cookies were checked
    assert PREFERENCES_COOKIE not in seen


# The cookies page.


def test_the_cookies_page_lists_every_declared_cookie_with_its_category_and_lifetime(client):
    page = html_lib.unescape(client.get(reverse("consent:cookie_settings")).content.decode())

    for cookie in declared_cookies():
        row = re.search(rf"<tr><td[^>]*><code>{cookie.name}</code></td>.*?</tr>", page)
        assert row, cookie.name
        assert cookie.purpose in row.group(0)
        assert cookie.lifetime in row.group(0)
        section = page[: row.start()].rsplit("<h3", 1)[1]
        assert f"{Category(cookie.category).label} cookies" in section
    assert "The portal sets no performance cookies at present." in page
    assert "The portal sets no functional cookies at present." in page


def test_the_lifetimes_come_from_the_settings(client, settings):
    settings.CSRF_COOKIE_AGE = 60 * 60 * 24 * 7

    page = client.get(reverse("consent:cookie_settings")).content.decode()

    assert ">7 days</td>" in page


def test_the_cookies_page_shows_the_current_choice(client):
    choose(client, "save", performance=True)

    page = client.get(reverse("consent:cookie_settings")).content.decode()

    assert re.search(r'<input type="checkbox" name="performance"[^>]* checked>', page)
    assert not re.search(r'<input type="checkbox" name="functional"[^>]* checked>', page)
    assert "Your cookie choices were saved." in page


# The footer.


def test_every_page_links_to_the_notice_and_cookie_settings(client):
    for url in [reverse("account_login"), reverse("consent:privacy_notice"), "/no-such-page/"]:
        page = client.get(url).content.decode()
        assert f'href="{reverse("consent:privacy_notice")}">Privacy notice</a>' in page
        assert f'href="{reverse("consent:cookie_settings")}">Cookie settings</a>' in page
        assert f'href="{reverse("consent:privacy_consents")}"' not in page


def test_signed_in_users_also_get_a_link_to_privacy_and_consent(client):
    client.force_login(registered_parent(published_notice()))

    page = client.get(reverse("schools:parent_home")).content.decode()

    assert f'href="{reverse("consent:privacy_consents")}">Privacy and consent</a>' in page
