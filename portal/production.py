"""What production must be given: no development default may stand in for a service.

``production_problems`` reads the environment when ``PORTAL_ENV=production`` and
lists, one sentence each, every variable that is missing or unsuitable; the
settings refuse to start with all of them in one message. The deploy checks
(``portal.checks``) apply the same rules to the settings in force, so
``manage.py check --deploy`` fails too. Imports nothing from Django's settings:
the settings module itself uses it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import environ

POSTGRESQL_ENGINES = frozenset(
    {"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"}
)
# Email backends that print, keep or drop the mail instead of sending it.
DEVELOPMENT_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)
# SMS backends that print or keep texts and mark them sent.
DEVELOPMENT_SMS_BACKENDS = frozenset(
    {"notifications.sms.ConsoleSmsBackend", "notifications.sms.LocmemSmsBackend"}
)
NOTIFY_SMS_BACKEND = "notifications.sms.NotifySmsBackend"
DISABLED_SMS_BACKEND = "notifications.sms.DisabledSmsBackend"
SMS_CHOICES = (
    f"{NOTIFY_SMS_BACKEND} (with NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID) "
    f"or {DISABLED_SMS_BACKEND} (no SMS at all)"
)


def database_problem(engine: str) -> str | None:
    if engine in POSTGRESQL_ENGINES:
        return None
    return f"DATABASE_URL must point at PostgreSQL (postgres://...), not {engine}."


def email_problem(backend: str) -> str | None:
    if backend not in DEVELOPMENT_EMAIL_BACKENDS:
        return None
    return (
        "EMAIL_URL must name a mail server (smtp://, smtp+tls:// or smtps://), "
        f"not {backend}, which does not send email."
    )


def site_url_problem(site_url: str) -> str | None:
    parts = urlsplit(site_url)
    if parts.scheme == "https" and parts.hostname:
        return None
    return f"SITE_URL must be the portal's public https:// address, not {site_url!r}."


def sms_problems(backend: str, *, api_key: str, template_id: str) -> list[str]:
    if backend in DEVELOPMENT_SMS_BACKENDS:
        return [
            f"SMS_BACKEND must not be {backend} in production: it does not send texts "
            f"but marks them sent. Choose {SMS_CHOICES}."
        ]
    problems = []
    if backend == NOTIFY_SMS_BACKEND:
        if not api_key:
            problems.append(f"NOTIFY_API_KEY must be set for {NOTIFY_SMS_BACKEND}.")
        if not template_id:
            problems.append(f"NOTIFY_SMS_TEMPLATE_ID must be set for {NOTIFY_SMS_BACKEND}.")
    return problems


def _url_setting(env: environ.Env, name: str, parse) -> tuple[str, str | None]:
    """(the variable's value, what ``parse`` makes of it or None if it cannot)."""
    value = env.str(name, default="")
    if not value:
        return value, None
    try:
        return value, parse(value)
    except Exception:  # an unknown scheme or a malformed URL
        return value, None


def production_problems(env: environ.Env) -> list[str]:
    """Every variable production is missing or cannot use, one sentence each."""
    problems = []
    if env.bool("DEBUG", default=False):
        problems.append("DEBUG must be off in production.")
    if not env.str("SECRET_KEY", default=""):
        problems.append("SECRET_KEY must be set in production.")
    if not env.list("ALLOWED_HOSTS", default=[]):
        problems.append("ALLOWED_HOSTS must be set: the portal's host names, comma-separated.")

    url, config = _url_setting(env, "DATABASE_URL", environ.Env.db_url_config)
    if not url:
        problems.append(
            "DATABASE_URL is not set: production runs on PostgreSQL, "
            "e.g. postgres://user:pass@host:5432/portal."
        )
    elif config is None:
        problems.append("DATABASE_URL is not a database URL: use postgres://user:pass@host/name.")
    elif (problem := database_problem(config.get("ENGINE", ""))) is not None:
        problems.append(problem)

    if not env.str("REDIS_URL", default=""):
        problems.append(
            "REDIS_URL is not set: production needs Redis for the Celery broker, "
            "the cache and the sign-in rate limits."
        )
    elif env.bool("CELERY_TASK_ALWAYS_EAGER", default=False):
        problems.append("CELERY_TASK_ALWAYS_EAGER must be off in production: tasks go to Redis.")

    url, config = _url_setting(env, "EMAIL_URL", environ.Env.email_url_config)
    if not url:
        problems.append(
            "EMAIL_URL is not set: production sends email through a mail server, "
            "e.g. smtp+tls://user:pass@smtp.example.org:587."
        )
    elif config is None:
        problems.append("EMAIL_URL is not a mail server URL (smtp://, smtp+tls:// or smtps://).")
    elif (problem := email_problem(config.get("EMAIL_BACKEND", ""))) is not None:
        problems.append(problem)

    site_url = env.str("SITE_URL", default="")
    if not site_url:
        problems.append(
            "SITE_URL is not set: links in emails and texts need the portal's public "
            "https:// address, e.g. https://portal.example.org."
        )
    elif (problem := site_url_problem(site_url)) is not None:
        problems.append(problem)

    sms_backend = env.str("SMS_BACKEND", default="")
    if not sms_backend:
        problems.append(f"SMS_BACKEND is not set: choose {SMS_CHOICES}.")
    else:
        problems.extend(
            sms_problems(
                sms_backend,
                api_key=env.str("NOTIFY_API_KEY", default=""),
                template_id=env.str("NOTIFY_SMS_TEMPLATE_ID", default=""),
            )
        )
    return problems


def production_refusal(problems: list[str]) -> str:
    """The one message production refuses to start with."""
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return (
        f"PORTAL_ENV=production, but {len(problems)} setting(s) are missing or unsuitable "
        f"(README, 'Running in production'):\n{lines}"
    )
