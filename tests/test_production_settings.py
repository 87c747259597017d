"""Production refuses every development default, naming each variable, and the
deploy checks (``manage.py check --deploy``) report the same problems as errors.

Starting the portal is tried in a fresh Python process (settings are read once,
at import), as in tests/test_settings.py.
"""

import pytest
from django.core.checks import Error, run_checks

from tests.test_settings import _production, _run, _setup

REQUIRED = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL", "SMS_BACKEND")


def _problem_lines(result) -> list[str]:
    """The lines of the refusal that each name one problem."""
    return [line[4:] for line in result.stderr.splitlines() if line.startswith("  - ")]


@pytest.mark.parametrize("name", REQUIRED)
def test_production_refuses_to_start_without_each_required_variable(name):
    result = _setup(**_production(**{name: ""}))

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    problems = _problem_lines(result)
    assert len(problems) == 1, result.stderr
    assert problems[0].startswith(f"{name} is not set"), problems


def test_production_without_any_service_names_every_missing_variable_in_one_message():
    result = _setup(PORTAL_ENV="production")

    assert result.returncode != 0
    problems = _problem_lines(result)
    named = [problem.split()[0] for problem in problems]
    assert named == [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "SITE_URL",
        "SMS_BACKEND",
    ]
    assert "7 setting(s) are missing or unsuitable" in result.stderr
    # Raised once: the whole list is one exception, not the first problem alone.
    assert result.stderr.count("ImproperlyConfigured:") == 1


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"DATABASE_URL": "sqlite:////tmp/portal.db"}, "DATABASE_URL must point at PostgreSQL"),
        ({"DATABASE_URL": "mysql://portal@db.example.org/portal"}, "DATABASE_URL must point at"),
        ({"CELERY_TASK_ALWAYS_EAGER": "1"}, "CELERY_TASK_ALWAYS_EAGER must be off"),
        ({"EMAIL_URL": "consolemail://"}, "EMAIL_URL must name a mail server"),
        ({"EMAIL_URL": "memorymail://"}, "EMAIL_URL must name a mail server"),
        ({"EMAIL_URL": "not-a-url"}, "EMAIL_URL is not a mail server URL"),
        ({"SITE_URL": "http://portal.example.org"}, "SITE_URL must be the portal's public https"),
        ({"SITE_URL": "https://"}, "SITE_URL must be the portal's public https"),
        (
            {"SMS_BACKEND": "notifications.sms.ConsoleSmsBackend"},
            "SMS_BACKEND must not be notifications.sms.ConsoleSmsBackend in production",
        ),
        (
            {"SMS_BACKEND": "notifications.sms.LocmemSmsBackend"},
            "SMS_BACKEND must not be notifications.sms.LocmemSmsBackend in production",
        ),
    ],
)
def test_production_refuses_an_unsuitable_value(overrides, expected):
    result = _setup(**_production(**overrides))

    assert result.returncode != 0
    problems = _problem_lines(result)
    assert len(problems) == 1, result.stderr
    assert problems[0].startswith(expected), problems


def test_notify_without_its_key_and_template_is_refused_naming_both():
    result = _setup(**_production(SMS_BACKEND="notifications.sms.NotifySmsBackend"))

    assert result.returncode != 0
    assert [problem.split()[0] for problem in _problem_lines(result)] == [
        "NOTIFY_API_KEY",
        "NOTIFY_SMS_TEMPLATE_ID",
    ]


@pytest.mark.parametrize(
    "sms",
    [
        {"SMS_BACKEND": "notifications.sms.DisabledSmsBackend"},
        {
            "SMS_BACKEND": "notifications.sms.NotifySmsBackend",
            "NOTIFY_API_KEY": "portal-00000000-0000-0000-0000-000000000000-"
            "00000000-0000-0000-0000-000000000000",
            "NOTIFY_SMS_TEMPLATE_ID": "00000000-0000-0000-0000-000000000000",
        },
    ],
    ids=["sms-disabled", "notify"],
)
def test_production_starts_with_every_service_configured(sms):
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.CACHES['default']['BACKEND'],"
            " settings.CELERY_TASK_ALWAYS_EAGER, settings.EMAIL_BACKEND, settings.SITE_URL,"
            " settings.SMS_BACKEND)",
        ],
        **_production(**sms),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
        "False",
        "django.core.mail.backends.smtp.EmailBackend",
        "https://portal.example.org",
        sms["SMS_BACKEND"],
    ]


def test_check_deploy_reports_each_development_default_as_an_error():
    result = _run(["manage.py", "check", "--deploy"])

    output = result.stdout + result.stderr
    assert result.returncode != 0
    errors = output.split("WARNINGS:")[0]
    for check_id, named in [
        ("portal.E001", "DATABASE_URL"),
        ("portal.E002", "REDIS_URL"),
        ("portal.E003", "EMAIL_URL"),
        ("portal.E004", "SITE_URL"),
        ("portal.E005", "SMS_BACKEND"),
    ]:
        line = next((line for line in errors.splitlines() if f"({check_id})" in line), "")
        assert named in line, output


def test_plain_check_stays_quiet_in_development():
    """The checks are for deployments only: `manage.py check` and `make demo` are unchanged."""
    result = _run(["manage.py", "check"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "portal.E00" not in result.stdout + result.stderr


GOOD = {
    "DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "portal"}},
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}},
    "CELERY_BROKER_URL": "redis://cache.example.org:6379/0",
    "CELERY_TASK_ALWAYS_EAGER": False,
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SITE_URL": "https://portal.example.org",
    "SMS_BACKEND": "notifications.sms.DisabledSmsBackend",
}


# The checks read DATABASES; nothing connects under the overridden one.
ignores_databases_override = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def _portal_errors(settings, **overrides) -> dict[str, list[str]]:
    for name, value in {**GOOD, **overrides}.items():
        setattr(settings, name, value)
    found: dict[str, list[str]] = {}
    for message in run_checks(include_deployment_checks=True):
        if message.id and message.id.startswith("portal."):
            assert isinstance(message, Error)
            found.setdefault(message.id, []).append(message.msg)
    return found


@ignores_databases_override
def test_deploy_checks_pass_with_production_services(settings):
    assert _portal_errors(settings) == {}


@pytest.mark.parametrize(
    ("overrides", "check_id", "expected"),
    [
        (
            {"DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}},
            "portal.E001",
            "DATABASE_URL must point at PostgreSQL",
        ),
        (
            {"CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}},
            "portal.E002",
            "the cache is not Redis",
        ),
        ({"CELERY_BROKER_URL": "memory://"}, "portal.E002", "the Celery broker is not Redis"),
        ({"CELERY_TASK_ALWAYS_EAGER": True}, "portal.E002", "CELERY_TASK_ALWAYS_EAGER"),
        (
            {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
            "portal.E003",
            "EMAIL_URL must name a mail server",
        ),
        ({"SITE_URL": "http://127.0.0.1:8000"}, "portal.E004", "SITE_URL must be"),
        (
            {"SMS_BACKEND": "notifications.sms.ConsoleSmsBackend"},
            "portal.E005",
            "SMS_BACKEND must not be notifications.sms.ConsoleSmsBackend",
        ),
        (
            {
                "SMS_BACKEND": "notifications.sms.NotifySmsBackend",
                "NOTIFY_API_KEY": "",
                "NOTIFY_SMS_TEMPLATE_ID": "template",
            },
            "portal.E005",
            "NOTIFY_API_KEY must be set",
        ),
        ({"SMS_BACKEND": "notifications.sms.NoSuchBackend"}, "portal.E005", "cannot be imported"),
    ],
)
@ignores_databases_override
def test_deploy_check_reports_each_unsuitable_setting(settings, overrides, check_id, expected):
    errors = _portal_errors(settings, **overrides)

    assert list(errors) == [check_id]
    assert any(expected in message for message in errors[check_id]), errors
