"""Test configuration shared by every test.

Tests run against SQLite and a local-memory cache by default, and against
PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set. With
REQUIRE_SERVICES=1 a missing PostgreSQL, Redis or Chromium fails the run.
"""

import os
import shutil

import pytest

from tests.celery_worker import celery_worker  # noqa: F401 (fixture for @pytest.mark.celery_worker)

# Tasks run in-process unless a test asks for a real worker (tests/celery_worker.py).
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
    return candidate if candidate and os.path.exists(candidate) else None


def _missing_services() -> list[str]:
    missing = []
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        missing.append("PostgreSQL (DATABASE_URL is not a postgres:// URL)")
    else:
        import psycopg

        admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
        try:
            psycopg.connect(admin_url, connect_timeout=5).close()
        except psycopg.Error as error:
            missing.append(f"PostgreSQL ({error})")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        missing.append("Redis (REDIS_URL is not set)")
    else:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
        except redis.RedisError as error:
            missing.append(f"Redis ({error})")
    if chromium_path() is None:
        missing.append("Chromium (set CHROMIUM_PATH or install Debian's chromium)")
    return missing


def pytest_sessionstart(session):
    if REQUIRE_SERVICES:
        missing = _missing_services()
        if missing:
            pytest.exit("REQUIRE_SERVICES=1 but missing: " + "; ".join(missing), returncode=3)


@pytest.fixture(autouse=True, scope="session")
def _celery_tasks_run_in_process():
    """Tasks run eagerly unless a test asks for a real worker (tests/celery_worker.py).

    pytest-django loads the settings before this file is imported, so the
    environment default above comes too late when REDIS_URL is set (the
    settings then default to a real broker); set the Celery app itself.
    """
    from portal.celery import app

    app.conf.task_always_eager = True
    yield


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "notifications.sms.LocmemSmsBackend"
    from notifications import sms

    sms.outbox.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.conf import settings
    from django.core.cache import cache

    if settings.REDIS_URL:
        # RedisCache.clear() would flush the whole Redis database, broker queues
        # included; delete only the cache's own keys.
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    yield


@pytest.fixture
def num_queries(django_assert_num_queries):
    """``num_queries(client, url, expected)``: GET the page, checking it renders (200)
    in exactly ``expected`` queries; returns the response."""

    def check(client, url, expected):
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200
        return response

    return check


@pytest.fixture
def private_folder(settings, tmp_path):
    """Uploaded videos and photos go to a folder of the test's own; returns that folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "learning.files.PrivateFileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def staff_client(client):
    """A test client signed in as a staff user who has passed the second factor."""
    from tests.factories import sign_in_verified

    def sign_in(user):
        sign_in_verified(client, user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _celery_worker_for_marked_tests(request):
    """Tests marked celery_worker get a real worker even without naming the fixture."""
    if request.node.get_closest_marker("celery_worker"):
        request.getfixturevalue("celery_worker")


@pytest.fixture
def school():
    """A school, as platform staff onboard one (there is no onboarding service yet)."""
    from tests.factories import SchoolFactory

    return SchoolFactory(name="Oakfield Primary", urn="123456")


@pytest.fixture
def admin(school):
    """The school's admin, added through the staff service as a school admin adds one.
    Their welcome email went long ago: it is not in this test's outbox."""
    from django.core import mail

    from accounts.models import Membership
    from accounts.services import staff_add
    from notifications.models import Message
    from tests.factories import UserFactory

    membership = staff_add(
        school=school,
        email="head@example.org",
        first_name="Ada",
        last_name="Head",
        role=Membership.Role.ADMIN,
        actor=UserFactory(is_staff=True),
    )
    Message.objects.filter(reference=f"membership:{membership.pk}").delete()
    mail.outbox.clear()
    return membership.user


@pytest.fixture
def school_admin_client(staff_client, admin):
    """A test client signed in as the school's admin, second factor passed."""
    return staff_client(admin)


@pytest.fixture
def notice():
    """The current privacy notice, published through the consent service."""
    from tests.consent.notices import published_notice

    return published_notice(version="1.0")
