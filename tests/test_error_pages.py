"""Error pages look like the portal (with DEBUG off), say what to do and link home;
an ordinary 403 or 404 is one line in the log, a 500 keeps its traceback."""

import logging

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path, reverse

from portal.urls import urlpatterns as portal_urlpatterns
from tests.factories import GuardianshipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_error_pages")]

# The portal's header and footer: the landmarks every portal page has.
PORTAL_LANDMARKS = ('<a class="brand" href="/">Home Learning Portal</a>', "site-footer")


@login_not_required
def broken_view(request):
    raise RuntimeError("the portal broke")


@login_not_required
def bad_request_view(request):
    raise BadRequest("the request made no sense")


urlpatterns = [
    path("test-errors/broken/", broken_view),
    path("test-errors/bad-request/", bad_request_view),
    *portal_urlpatterns,
]


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def request_records(caplog, status):
    return [
        record
        for record in caplog.records
        if record.name.startswith("django.") and getattr(record, "status_code", None) == status
    ]


def assert_portal_page(response, status, heading):
    page = response.content.decode()
    assert response.status_code == status
    for landmark in PORTAL_LANDMARKS:
        assert landmark in page
    assert f"<h1>{heading}</h1>" in page
    assert "Go to your home page" in page
    assert 'rel="stylesheet"' in page


def test_a_missing_page_is_the_portals_404_with_no_traceback_logged(client, caplog):
    caplog.set_level(logging.WARNING)

    response = client.get("/no-such-page/")

    assert_portal_page(response, 404, "Page not found")
    [record] = request_records(caplog, 404)
    assert record.getMessage() == "Not Found: /no-such-page/"
    assert (record.exc_info, record.exc_text) == (None, None)


def test_a_page_refused_by_the_checkpoint_is_the_portals_403_with_no_traceback(client, caplog):
    client.force_login(GuardianshipFactory().parent)
    caplog.set_level(logging.WARNING)

    response = client.get(reverse("learning:topic_list"))

    assert_portal_page(response, 403, "Not allowed")
    assert "ask your school" in response.content.decode()
    [record] = request_records(caplog, 403)
    assert record.getMessage().startswith("Forbidden (Permission denied): ")
    assert (record.exc_info, record.exc_text) == (None, None)
    assert "Traceback" not in caplog.text


def test_a_form_without_its_csrf_token_is_the_portals_expired_form_page(caplog):
    caplog.set_level(logging.WARNING)

    response = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"login": "x"})

    assert_portal_page(response, 403, "This form has expired")
    assert "Traceback" not in caplog.text


def test_a_bad_request_is_the_portals_400_with_no_traceback(client, caplog):
    caplog.set_level(logging.WARNING)

    response = client.get("/test-errors/bad-request/")

    assert_portal_page(response, 400, "The portal could not read that request")
    [record] = request_records(caplog, 400)
    assert (record.exc_info, record.exc_text) == (None, None)


def test_a_server_error_is_the_portals_500_and_its_traceback_is_logged(caplog):
    caplog.set_level(logging.WARNING)

    response = Client(raise_request_exception=False).get("/test-errors/broken/")

    assert_portal_page(response, 500, "Something went wrong")
    assert "nothing was changed" in response.content.decode()
    [record] = request_records(caplog, 500)
    assert record.exc_info is not None
    assert "RuntimeError: the portal broke" in caplog.text


@pytest.mark.django_db(databases=[])
def test_the_500_page_renders_with_no_request_and_no_database():
    page = render_to_string("500.html")

    for landmark in PORTAL_LANDMARKS:
        assert landmark in page
    assert "<h1>Something went wrong</h1>" in page
