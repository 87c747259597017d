"""GET /healthz answers 200 while the database (and Redis, where configured) answer,
and, with production's static storage, once collectstatic has written the manifest."""

import re

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.urls import reverse

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


@pytest.fixture
def manifest_storage(settings, tmp_path):
    """Static files stored as in production: hashed names from a manifest."""
    settings.REDIS_URL = ""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }


def test_healthz_is_503_when_the_static_manifest_is_missing(client, manifest_storage):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["static"] == "missing"
    assert response.json()["database"] == "ok"


def test_healthz_is_ok_once_collectstatic_has_written_the_manifest(client, manifest_storage):
    call_command("collectstatic", "--no-input", verbosity=0)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["static"] == "ok"
    # And a page naming static files renders with their hashed names.
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    assert re.search(r"/static/css/[\w-]+\.[0-9a-f]{12}\.css", page.content.decode())


def test_healthz_is_503_in_a_process_started_before_collectstatic(client, manifest_storage):
    call_command("collectstatic", "--no-input", verbosity=0)
    # What a web process that loaded no manifest at start-up holds: restart it.
    storages["staticfiles"].hashed_files = {}

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["static"] == "missing"


def test_healthz_says_nothing_of_static_files_without_a_manifest_storage(client, settings):
    settings.REDIS_URL = ""

    assert "static" not in client.get("/healthz").json()
