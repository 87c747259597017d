"""security_event_record, the current request, and purging old events."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.lookup import email_lookup_hash
from audit.context import current_request, request_context
from audit.middleware import RequestContextMiddleware
from audit.models import SecurityEvent
from audit.services import security_event_record, security_events_purge
from audit.tasks import security_events_purge_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind


def _request(user=None, **meta):
    request = RequestFactory().get("/somewhere/", **meta)
    request.user = user or AnonymousUser()
    return request


def test_the_ip_address_and_browser_come_from_the_request():
    user = UserFactory()
    request = _request(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Firefox/128.0")

    event = security_event_record(kind=Kind.SIGN_IN, user=user, request=request)

    event.refresh_from_db()
    assert (event.kind, event.user, event.ip_address) == (Kind.SIGN_IN, user, "203.0.113.5")
    assert event.user_agent == "Firefox/128.0"


def test_a_long_user_agent_is_cut_to_the_column():
    request = _request(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="x" * 1000)

    event = security_event_record(kind=Kind.SIGN_IN, user=UserFactory(), request=request)

    assert SecurityEvent.objects.get(pk=event.pk).user_agent == "x" * 300


@pytest.mark.parametrize("remote_addr", ["not-an-address", "", "999.1.1.1"])
def test_an_address_that_is_not_an_ip_is_stored_as_none(remote_addr):
    request = _request(REMOTE_ADDR=remote_addr)

    event = security_event_record(kind=Kind.SIGN_IN, user=UserFactory(), request=request)

    assert SecurityEvent.objects.get(pk=event.pk).ip_address is None


def test_forwarded_for_is_believed_only_behind_a_trusted_proxy(settings):
    request = _request(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")

    untrusted = security_event_record(kind=Kind.SIGN_IN, request=request)
    settings.TRUSTED_PROXY_COUNT = 1
    trusted = security_event_record(kind=Kind.SIGN_IN, request=request)

    assert untrusted.ip_address == "10.0.0.1"
    assert trusted.ip_address == "198.51.100.7"


def test_without_a_request_the_current_request_is_used():
    user = UserFactory()
    request = _request(user, REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT="Safari/17")

    with request_context(request):
        event = security_event_record(kind=Kind.SECOND_FACTOR_FAILED)

    event.refresh_from_db()
    assert (event.user, event.ip_address, event.user_agent) == (user, "192.0.2.44", "Safari/17")


def test_without_any_request_there_is_no_address_or_browser():
    user = UserFactory()

    event = security_event_record(kind=Kind.DEVICE_ADDED, user=user)

    event.refresh_from_db()
    assert (event.user, event.ip_address, event.user_agent) == (user, None, "")


def test_an_anonymous_user_is_stored_as_none():
    request = _request(AnonymousUser(), REMOTE_ADDR="192.0.2.1")

    event = security_event_record(kind=Kind.SIGN_IN_FAILED, user=AnonymousUser(), request=request)

    assert SecurityEvent.objects.get(pk=event.pk).user is None


def test_the_email_tried_is_kept_only_as_a_keyed_hash():
    request = _request(REMOTE_ADDR="192.0.2.1", HTTP_USER_AGENT="Chrome/126")

    event = security_event_record(
        kind=Kind.SIGN_IN_FAILED, request=request, email_tried="  Ann.Other@Example.ORG "
    )

    row = SecurityEvent.objects.filter(pk=event.pk).values().get()
    assert row["email_hash"] == email_lookup_hash("ann.other@example.org")
    assert len(row["email_hash"]) == 64
    stored = " ".join(str(value) for value in row.values()).lower()
    assert "ann.other" not in stored
    assert "example.org" not in stored


def test_the_email_hash_is_keyed(settings):
    before = email_lookup_hash("ann@example.org")
    settings.LOOKUP_HASH_KEY = "another-key"

    assert email_lookup_hash("ann@example.org") != before


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        security_event_record(kind="teleported")


def test_details_are_stored_as_plain_json():
    user = UserFactory()

    event = security_event_record(kind=Kind.PUPIL_RECORD_OPENED, user=user, details={"pupil": user})

    assert SecurityEvent.objects.get(pk=event.pk).details == {"pupil": user.pk}


def test_an_event_reads_without_personal_data():
    user = UserFactory(first_name="Zebedee", email="zq@example.org")

    text = str(security_event_record(kind=Kind.SIGN_IN, user=user))

    assert text.startswith("Signed in at ")
    assert "Zebedee" not in text and "zq@" not in text


# --- The current request -----------------------------------------------------------


def test_the_middleware_makes_the_request_current_only_while_it_is_served():
    seen = []

    def view(request):
        seen.append(current_request())
        return HttpResponse()

    request = _request()
    RequestContextMiddleware(view)(request)

    assert seen == [request]
    assert current_request() is None


def test_the_current_request_is_forgotten_when_the_view_raises():
    def view(request):
        raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError):
        RequestContextMiddleware(view)(_request())

    assert current_request() is None


def test_the_middleware_comes_right_after_authentication(settings):
    middleware = settings.MIDDLEWARE
    authentication = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")

    assert middleware[authentication + 1] == "audit.middleware.RequestContextMiddleware"


# --- Purging -------------------------------------------------------------------------


def _event_aged(days: float, now) -> SecurityEvent:
    event = security_event_record(kind=Kind.SIGN_IN, user=UserFactory())
    SecurityEvent.objects.filter(pk=event.pk).update(at=now - timedelta(days=days))
    return event


def test_purge_deletes_events_past_the_retention_period_and_keeps_the_rest(settings):
    settings.SECURITY_EVENT_RETENTION_DAYS = 90
    now = timezone.now()
    old = [_event_aged(91, now), _event_aged(400, now)]
    recent = [_event_aged(89, now), _event_aged(0, now)]

    deleted = security_events_purge(now=now)

    assert deleted == 2
    remaining = set(SecurityEvent.objects.values_list("pk", flat=True))
    assert remaining == {event.pk for event in recent}
    assert not remaining & {event.pk for event in old}


def test_purge_follows_the_retention_setting(settings):
    settings.SECURITY_EVENT_RETENTION_DAYS = 30
    now = timezone.now()
    _event_aged(31, now)
    kept = _event_aged(29, now)

    assert security_events_purge(now=now) == 1
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_purge_deletes_in_batches_of_bounded_size():
    now = timezone.now()
    for _ in range(5):
        _event_aged(100, now)
    kept = _event_aged(1, now)

    with CaptureQueriesContext(connection) as queries:
        deleted = security_events_purge(now=now, batch_size=2)

    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert deleted == 5
    assert len(deletes) == 3
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_purge_with_nothing_to_delete_deletes_nothing():
    now = timezone.now()
    _event_aged(1, now)

    assert security_events_purge(now=now) == 0
    assert security_events_purge(now=now) == 0
    assert SecurityEvent.objects.count() == 1


def test_the_daily_task_purges(settings):
    settings.SECURITY_EVENT_RETENTION_DAYS = 90
    _event_aged(120, timezone.now())

    result = security_events_purge_task.delay()

    assert result.get() == 1
    assert not SecurityEvent.objects.exists()


def test_the_purge_task_is_scheduled_daily(settings):
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == security_events_purge_task.name
    ]

    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1
