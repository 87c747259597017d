"""The portal's one settings module, configured from the environment alone.

Without any environment the portal runs as the embedded default: SQLite in the
project folder, a local-memory cache, Celery tasks run in-process and email to
the console. Setting ``DATABASE_URL`` and ``REDIS_URL`` switches to PostgreSQL
and Redis (cache, Celery broker, allauth rate limits).

``PORTAL_ENV=production`` turns on every transport-security setting and refuses to
start, naming each variable, on any development default (``portal.production``).
"""

from datetime import time, timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal.log_format import logging_config
from portal.schedule import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

PORTAL_ENV = env.str("PORTAL_ENV", default="development")
if PORTAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("PORTAL_ENV must be 'development' or 'production'.")
PRODUCTION = PORTAL_ENV == "production"

if PRODUCTION:
    from portal.production import production_problems, production_refusal

    if problems := production_problems(env):
        raise ImproperlyConfigured(production_refusal(problems))
    DEBUG = False
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    DEBUG = env.bool("DEBUG", default=True)
    SECRET_KEY = env.str(
        "SECRET_KEY", default="development-only-key-never-used-in-production-0123456789"
    )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# Keyed hashes of identifiers (UPN, mobile) used for look-ups and uniqueness.
LOOKUP_HASH_KEY = env.str("LOOKUP_HASH_KEY", default=SECRET_KEY)

INSTALLED_APPS = [
    "accounts.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.usersessions",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "csp",
    "audit",
    "accounts",
    "schools",
    "invitations",
    "consent",
    "notifications",
    "learning",
    "engagement",
    "privacy",
    "demo",
    "portal.apps.PortalConfig",  # deploy checks: no development default (portal.checks)
]

MIDDLEWARE = [
    "portal.log_context.RequestIdMiddleware",  # first: every log line of a request names it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.RequestContextMiddleware",
    # Sign-in is required everywhere but the views marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Keeps User.last_active_at current, at most one write per user every few minutes.
    "engagement.middleware.LastActiveMiddleware",
    "accounts.middleware.PrivateResponsesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "accounts.middleware.AccessRefusalMiddleware",
    "consent.middleware.ConsentGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "consent.context_processors.privacy",
            ],
        },
    },
]

# Every form renders through templates/django/forms/ (labels above fields, hints,
# errors, an error summary at the top of a form with errors).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Connections are kept between requests (and tasks: portal/celery.py) for a
# minute, checked before each request reuses one, so a request does not pay for
# opening a PostgreSQL connection. CONN_MAX_AGE=0 closes them after each request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the dashboards' per-pupil subqueries have planner costs
    # above jit_above_cost, and compiling them took longer (about 50 ms) than
    # running them. Web and worker queries are short; JIT pays only for long ones.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: a Redis broker when configured, otherwise tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# No result backend, so nothing to expire: beat adds no celery.backend_cleanup task.
CELERY_RESULT_EXPIRES = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes every database connection around each task unless
# this is set; then it closes them only every this many tasks, and portal/celery.py
# closes those older than CONN_MAX_AGE or broken, as a web request does.
CELERY_DB_REUSE_MAX = 1000
# Redis hands an unacknowledged task to another worker after the visibility
# timeout. A text held through the quiet hours waits up to 12 hours for its timed
# task, so the timeout must be longer than that, or the task is handed out twice
# (only sent once, but each copy costs a worker a look).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 13 * 60 * 60}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into django-celery-beat's database schedule when beat starts.
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
CELERY_TIMEZONE = "Europe/London"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# allauth: email and password only, no open sign-up, rate limits on.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.SignInForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Home Learning Portal: "
# Many parents and staff share a school's one public address: the per-account
# limit (5 failed sign-ins in 5 minutes) does the protecting, and the per-address
# limits sit well above what a busy school produces. The per-account rate comes
# first, so an account already refused does not use up its address's allowance.
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "5/5m/key,100/m/ip",
    "reset_password": "60/m/ip,5/m/key",
    "reset_password_from_key": "60/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# Email changes: the new address replaces the old one only once the link sent to
# it is followed; the old address is told.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
# How many reverse proxies (load balancer, ingress) in front of the portal add
# to X-Forwarded-For. 0: the header is ignored and REMOTE_ADDR is the client.
# Sign-in limits and the security log key on the address this yields
# (accounts.clients.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Home Learning Portal")
OTP_BACKUP_CODE_COUNT = 10

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Uploaded videos and photos: no public URL, served only through authorised
    # views (learning.files.private_file_response).
    "private": {
        "BACKEND": "learning.files.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

# Email: any Django backend via EMAIL_URL in production; the console by default.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)  # seconds; then the attempt is retried
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Home Learning <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# SMS: notifications.sms.ConsoleSmsBackend, LocmemSmsBackend, NotifySmsBackend (GOV.UK
# Notify, a template whose whole body is ((body))) or DisabledSmsBackend (no SMS at all).
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.sms.ConsoleSmsBackend")
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
# The bearer token GOV.UK Notify sends with delivery receipts (set on Notify's
# callbacks page, for /notifications/notify/receipts/); empty refuses every receipt.
NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")
# Outbox: a message still pending this long after it was due is enqueued again. A
# transient failure is tried again after each of MESSAGE_RETRY_MINUTES in turn (the
# last repeats) until MESSAGE_MAX_ATTEMPTS have failed: 9 attempts over 34 hours.
MESSAGE_STALE_AFTER = timedelta(minutes=env.int("MESSAGE_STALE_AFTER_MINUTES", default=10))
_RETRY_MINUTES = env.str("MESSAGE_RETRY_MINUTES", default="1,5,15,60,180,360,720,720").split(",")
MESSAGE_RETRY_DELAYS = tuple(timedelta(minutes=int(minutes)) for minutes in _RETRY_MINUTES)
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=len(MESSAGE_RETRY_DELAYS) + 1)
# No engagement SMS (new topic, reminder, award) from the first time to the second,
# in TIME_ZONE (the schools' local time): one queued then is held until the end.
QUIET_HOURS = (time(20, 0), time(8, 0))

# Roster import: uploads larger than this are refused; files with more rows than
# ROSTER_BACKGROUND_ROWS are checked and applied by a Celery task.
ROSTER_MAX_UPLOAD_BYTES = env.int("ROSTER_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
ROSTER_BACKGROUND_ROWS = env.int("ROSTER_BACKGROUND_ROWS", default=500)
ROSTER_IMPORT_KEEP = timedelta(days=7)
# An invitation link works once, for this long.
INVITATION_VALID_FOR = timedelta(days=env.int("INVITATION_VALID_DAYS", default=14))
# One reminder goes this long after an unaccepted invitation was sent.
INVITATION_REMIND_AFTER = timedelta(days=env.int("INVITATION_REMIND_AFTER_DAYS", default=7))
# Videos a teacher uploads to an activity (streamed to a temporary file, then to
# the private storage).
LEARNING_VIDEO_MAX_BYTES = env.int("LEARNING_VIDEO_MAX_MB", default=200) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Engagement tracking: a user's last_active_at is written at most once per this
# many minutes (engagement.middleware.LastActiveMiddleware).
LAST_ACTIVE_UPDATE_MINUTES = env.int("LAST_ACTIVE_UPDATE_MINUTES", default=5)

# Security events (sign-ins, second factors, refusals) are deleted after this many days.
SECURITY_EVENT_RETENTION_DAYS = env.int("SECURITY_EVENT_RETENTION_DAYS", default=90)

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Content Security Policy: nothing is ever loaded from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# One log format for web, worker and beat (portal/log_format.py): key=value, or
# JSON with LOG_FORMAT=json; request ids on web lines, task ids on worker lines,
# secret paths (invitation tokens, password reset keys) redacted.
LOGGING = logging_config(
    log_format=env.str("LOG_FORMAT", default="keyvalue"),
    level=env.str("LOG_LEVEL", default="INFO"),
)

# User.email is unique case-insensitively through the constraint user_email_ci_unique
# (a functional unique index on Lower(email)), which this check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
