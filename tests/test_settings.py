"""Production settings refuse unsafe configurations and pass Django's deploy checks.

Each case starts a fresh Python process, because settings are read once at import.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# Variables that would leak this test run's configuration into the child process.
_CLEARED = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "PORTAL_ENV",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_URL",
    "EMAIL_BACKEND",
    "SITE_URL",
    "SMS_BACKEND",
    "NOTIFY_API_KEY",
    "NOTIFY_SMS_TEMPLATE_ID",
}


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    child_env = {key: value for key, value in os.environ.items() if key not in _CLEARED}
    child_env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", **env})
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _setup(**env: str) -> subprocess.CompletedProcess:
    return _run(["-c", "import django; django.setup(); print('started')"], **env)


def _production_key() -> str:
    return secrets.token_urlsafe(45)  # 60 characters, as check --deploy wants


def _production(**overrides: str) -> dict[str, str]:
    """A complete production environment; an override of "" leaves a variable out."""
    env = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": _production_key(),
        "ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": "postgres://portal@db.example.org:5432/portal",
        "REDIS_URL": "redis://cache.example.org:6379/0",
        "EMAIL_URL": "smtp+tls://portal:secret@smtp.example.org:587",
        "SITE_URL": "https://portal.example.org",
        "SMS_BACKEND": "notifications.sms.DisabledSmsBackend",
        **overrides,
    }
    return {key: value for key, value in env.items() if value != ""}


def test_production_refuses_to_start_with_debug_on():
    result = _setup(
        PORTAL_ENV="production",
        DEBUG="1",
        SECRET_KEY=_production_key(),
        ALLOWED_HOSTS="portal.example.org",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG must be off in production" in result.stderr
    assert "started" not in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _setup(PORTAL_ENV="production", ALLOWED_HOSTS="portal.example.org")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_to_start_with_an_empty_secret_key():
    result = _setup(PORTAL_ENV="production", SECRET_KEY="", ALLOWED_HOSTS="portal.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _setup(PORTAL_ENV="production", SECRET_KEY=_production_key())

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_an_unknown_environment_name_is_refused():
    result = _setup(PORTAL_ENV="prod")

    assert result.returncode != 0
    assert "PORTAL_ENV must be" in result.stderr


def test_production_starts_with_a_key_and_debug_off():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT)",
        ],
        **_production(DEBUG="0"),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


def test_check_deploy_reports_nothing_under_production_settings():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **_production(),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_does_complain_about_development_settings():
    """The deploy check is not silenced wholesale: development settings do fail it."""
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG on


def test_embedded_defaults_use_sqlite_locmem_and_eager_celery():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.CACHES['default']['BACKEND'],"
            " settings.CELERY_TASK_ALWAYS_EAGER)",
        ],
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
    ]


def test_service_urls_switch_to_postgresql_and_redis():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.CACHES['default']['BACKEND'],"
            " settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER)",
        ],
        DATABASE_URL="postgres://portal@db.example.org:5432/portal",
        REDIS_URL="redis://cache.example.org:6379/0",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.example.org:6379/0",
        "False",
    ]


@pytest.mark.parametrize("name", ["login", "login_failed", "reset_password"])
def test_allauth_rate_limits_are_on(settings, name):
    assert settings.ACCOUNT_RATE_LIMITS is not False
    assert settings.ACCOUNT_RATE_LIMITS.get(name)


def test_beat_schedules_only_registered_tasks_including_the_roster_purge():
    from django.conf import settings

    from portal.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "schools.tasks.roster_imports_purge_task" in tasks
    assert tasks <= set(app.tasks)
