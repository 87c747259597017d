"""Deploy checks (``manage.py check --deploy``): no development default in place of
a service.

The same rules production settings refuse to start without (``portal.production``),
applied to the settings in force, so a deployment checked with development
settings fails too:

- ``portal.E001`` the database is not PostgreSQL;
- ``portal.E002`` no Redis: local-memory cache, in-memory broker or eager tasks;
- ``portal.E003`` email is printed, kept or dropped instead of sent;
- ``portal.E004`` ``SITE_URL`` is not an https:// address;
- ``portal.E005`` texts are printed or kept and marked sent, or the SMS backend
  cannot be used (Notify without its key or template, a path that does not import).
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from portal.production import (
    database_problem,
    email_problem,
    site_url_problem,
    sms_problems,
)

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


@register(deploy=True)
def check_database_is_postgresql(app_configs=None, **kwargs):
    problem = database_problem(settings.DATABASES["default"]["ENGINE"])
    if problem is None:
        return []
    return [Error(problem, hint="Set DATABASE_URL=postgres://...", id="portal.E001")]


@register(Tags.caches, deploy=True)
def check_redis_is_used(app_configs=None, **kwargs):
    problems = []
    if settings.CACHES["default"]["BACKEND"] != REDIS_CACHE:
        problems.append("the cache is not Redis")
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://", "unix://")):
        problems.append("the Celery broker is not Redis")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        problems.append("tasks run in the web process (CELERY_TASK_ALWAYS_EAGER)")
    if not problems:
        return []
    return [
        Error(
            f"REDIS_URL is not in use: {'; '.join(problems)}.",
            hint="Set REDIS_URL=redis://host:6379/0 and leave CELERY_TASK_ALWAYS_EAGER unset.",
            id="portal.E002",
        )
    ]


@register(deploy=True)
def check_email_is_sent(app_configs=None, **kwargs):
    problem = email_problem(settings.EMAIL_BACKEND)
    if problem is None:
        return []
    return [Error(problem, hint="Set EMAIL_URL=smtp+tls://...", id="portal.E003")]


@register(deploy=True)
def check_site_url_is_https(app_configs=None, **kwargs):
    problem = site_url_problem(settings.SITE_URL)
    if problem is None:
        return []
    return [Error(problem, hint="Set SITE_URL=https://your.host", id="portal.E004")]


@register(deploy=True)
def check_sms_backend_sends_or_is_disabled(app_configs=None, **kwargs):
    backend = settings.SMS_BACKEND
    problems = sms_problems(
        backend, api_key=settings.NOTIFY_API_KEY, template_id=settings.NOTIFY_SMS_TEMPLATE_ID
    )
    if not problems:
        try:
            import_string(backend)
        except ImportError:
            problems.append(f"SMS_BACKEND {backend!r} cannot be imported.")
    hint = "README, 'Running in production', lists the SMS backends."
    return [Error(problem, hint=hint, id="portal.E005") for problem in problems]
