"""GET /healthz answers 200 while the database (and Redis, where configured) answer."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class _BrokenConnection:
    def cursor(self):
        raise ConnectionError("database is down")


class _BrokenCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("redis is down")

    def get(self, *args, **kwargs):
        raise ConnectionError("redis is down")


def test_healthz_is_ok_when_the_database_answers(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    # No retention run yet in a new database (tests/privacy/test_retention_monitoring.py).
    assert response.json() == {"database": "ok", "retention": "late", "retention_last_run": None}


def test_healthz_checks_redis_when_configured(client, settings):
    if not settings.REDIS_URL:
        pytest.skip("Redis is checked only when REDIS_URL is set")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "redis": "ok",
        "retention": "late",
        "retention_last_run": None,
    }


def test_healthz_is_503_when_the_database_fails(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr("accounts.views.pages.connection", _BrokenConnection())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "unavailable"}


def test_healthz_is_503_when_redis_fails(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr("accounts.views.pages.cache", _BrokenCache())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "redis": "unavailable",
        "retention": "late",
        "retention_last_run": None,
    }


def test_healthz_needs_no_second_factor(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get("/healthz").status_code == 200
