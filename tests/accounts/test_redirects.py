"""The one open-redirect guard: a ``next`` is followed only within this site."""

import pytest
from django.test import RequestFactory

from accounts.redirects import next_parameter, safe_next_url


@pytest.fixture(autouse=True)
def _portal_host(settings):
    settings.ALLOWED_HOSTS = ["portal.example.org"]


@pytest.fixture
def request_():
    return RequestFactory().get("/", HTTP_HOST="portal.example.org")


@pytest.mark.parametrize(
    "candidate",
    [
        "https://evil.example.com/",
        "//evil.example.com/path",
        "javascript:alert(1)",
        "https:evil.example.com",
        "\\\\evil.example.com",
        "",
        None,
    ],
)
def test_anything_off_the_site_gives_way_to_the_default(request_, candidate):
    assert safe_next_url(request_, candidate, default="/home/") == "/home/"


def test_a_path_of_this_site_is_followed(request_):
    assert safe_next_url(request_, "/children/3/?tab=1", default="/") == "/children/3/?tab=1"
    assert (
        safe_next_url(request_, "http://portal.example.org/classes/", default="/")
        == "http://portal.example.org/classes/"
    )


def test_within_keeps_the_user_inside_one_area(request_):
    tracker = "/schools/1/invitations/"
    assert safe_next_url(
        request_, "/schools/1/invitations/?page=2", default=tracker, within=tracker
    ) == ("/schools/1/invitations/?page=2")
    assert safe_next_url(request_, "/classes/", default=tracker, within=tracker) == tracker


def test_the_default_may_be_a_url_name(request_):
    assert safe_next_url(request_, "https://evil.example.com/", default="accounts:home") == "/"


def test_plain_http_is_refused_when_the_request_came_over_https():
    request = RequestFactory().get("/", HTTP_HOST="portal.example.org", secure=True)
    assert safe_next_url(request, "http://portal.example.org/x/", default="/") == "/"


def test_next_comes_from_the_form_then_the_query_string():
    factory = RequestFactory()
    assert next_parameter(factory.post("/?next=/a/", {"next": "/b/"})) == "/b/"
    assert next_parameter(factory.get("/?next=/a/")) == "/a/"
    assert next_parameter(factory.get("/")) == ""
