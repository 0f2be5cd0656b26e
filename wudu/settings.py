"""Settings for 网格通, read from the environment (django-environ).

Embedded default (nothing set): SQLite in ./db.sqlite3, Celery eager, demo mode on.
Production (`WUDU_ENV=production`) refuses the insecure defaults at start.
"""

from datetime import timedelta
from pathlib import Path

import environ
import orjson
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

WUDU_ENV = env.str("WUDU_ENV", default="development")
if WUDU_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"WUDU_ENV must be development, test or production, not {WUDU_ENV!r}")
PRODUCTION = WUDU_ENV == "production"

_INSECURE_KEY = "insecure-development-key-do-not-use-in-production"
# The placeholder of deploy/wudu.env.example: copied as it is, it is public (refused here and by wudu/checks.py).
EXAMPLE_SECRET_KEYS = ("change-me-to-50-random-characters-from-a-password-generator",)
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_KEY)
# Off unless asked for (DEBUG=on): a mistyped address under `make run` shows the site's own 404, not Django's page.
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo accounts (fixed passwords) exist only in demo mode, never in production.
DEMO_MODE = env.bool("DEMO_MODE", default=not PRODUCTION)

if PRODUCTION:
    if SECRET_KEY == _INSECURE_KEY or SECRET_KEY in EXAMPLE_SECRET_KEYS or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 32+ characters in production.")
    if DEMO_MODE:
        raise ImproperlyConfigured("DEMO_MODE cannot be on in production: it creates accounts with known passwords.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")

# The project's apps, in the order of the import rule (docs/architecture.md): each plugs in its pages (urls.py), its
# API routes (api.py: register_routes) and its management pages (managed.py). Adding an app adds its name here.
PROJECT_APPS = ["grids", "outreach", "ledger", "cases", "inspections", "affairs", "bulletins", "audit", "bench"]

INSTALLED_APPS = [
    "wudu.twofactor.apps.AdminConfig",  # django.contrib.admin, its site asking for the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "pgtrigger",
    "pghistory",
    "axes",
    "csp",
    "wudu",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wudu.middleware.SecurityHeadersMiddleware",
    "wudu.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wudu.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sign-in, in this order: an idle or too old session ends; the second factor is asked for; a password
    # an administrator set (or one past its age) must be changed.
    "wudu.sessions.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wudu.twofactor.middleware.SecondFactorMiddleware",
    "wudu.passwords.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "audit.context.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
    "wudu.auth.DeviceCookieMiddleware",
    "wudu.access_log.DenialMiddleware",  # the gate's refusals are access events (issue 14)
]

ROOT_URLCONF = "wudu.urls"
WSGI_APPLICATION = "wudu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

def _database(url: str) -> dict:
    """Parse DATABASE_URL, refusing anything but SQLite and PostgreSQL with a message that names the problem."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            "DATABASE_URL must look like postgres://user@host:5432/name or sqlite:///path/to/db.sqlite3 "
            f"(got a URL with scheme {scheme or 'none'!r})."
        )
    return environ.Env.db_url_config(url)


if PRODUCTION and not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("DATABASE_URL must be set in production (postgres://user@host:5432/name).")
DATABASES = {"default": _database(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database answers /healthz with 503 in seconds instead of hanging on TCP.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL + a busy timeout so that the dev server and an eager task do not trip over each other.
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

# A PostgreSQL read replica for dashboards (optional): the reads of views marked @replica_reads (ledgers,
# terminals, exports) go there; every write and every other read stays on the primary (wudu/db.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = _database(env.str("DATABASE_REPLICA_URL"))
    DATABASES["replica"].update(ATOMIC_REQUESTS=False, CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
                                TEST={"MIRROR": "default"})
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DATABASE_ROUTERS = ["wudu.db.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "grids.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Guessing one account from many addresses: a per-username back-off, not a lock (wudu/auth.py).
    "wudu.auth.BackoffBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock out after 5 failures for one hour, per username and address pair: a stranger elsewhere cannot lock the owner
# out. The address is read as everywhere else (NUM_PROXIES behind the balancer, wudu/net.py).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "wudu.net.client_ip"
# Past this many failures of one username within an hour (from any address), each attempt waits 2, 4, 8 … seconds
# after the last failure, at most LOGIN_BACKOFF_MAX_SECONDS; browsers the account signed in from are not slowed.
LOGIN_BACKOFF_FREE = env.int("LOGIN_BACKOFF_FREE", default=10)
LOGIN_BACKOFF_MAX_SECONDS = env.int("LOGIN_BACKOFF_MAX_SECONDS", default=300)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Photos are served by the app after the scope gate (wudu/media.py); behind nginx, set this to the internal
# location that maps MEDIA_ROOT (deploy/nginx.conf: /_protected_media/) and the app answers with X-Accel-Redirect.
MEDIA_ACCEL_REDIRECT = env.str("MEDIA_ACCEL_REDIRECT", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Form fields and JSON bodies (files not counted): the longest text is a 2,000-character finding.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# The whole request, files included (5 photos of 5 MB with the form): refused with 413 before it is read
# (wudu.middleware.RequestSizeLimitMiddleware); the proxy's client_max_body_size says the same (deploy/).
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=30 * 1024 * 1024)

CACHES = {
    "default": env.cache("CACHE_URL", default="locmem://")
    if env.str("CACHE_URL", default="")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Security headers; production adds HSTS, the redirect to HTTPS and secure cookies (check --deploy passes).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # HSTS for a year, subdomains included, eligible for the browsers' preload list; turn the last two off only if
    # a subdomain must still answer over plain HTTP.
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # Plain HTTP is redirected to HTTPS (behind the proxy, by its X-Forwarded-Proto), except the load balancer's
    # /healthz probe, which speaks HTTP to the node directly.
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"] + env.list("MAP_TILE_HOSTS", default=[]),
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Personal data: ID-card numbers of households are stored only if this is on (and always shown masked).
STORE_ID_NUMBERS = env.bool("STORE_ID_NUMBERS", default=False)
# The pollution-control duty: a grid patrolled less than this on a day is named in the daily report.
MIN_DAILY_PATROL_MINUTES = env.int("MIN_DAILY_PATROL_MINUTES", default=60)
# A covert spot check at or above this score counts as passed (暗访达标率).
SPOT_CHECK_PASS_SCORE = env.int("SPOT_CHECK_PASS_SCORE", default=80)
# Bulletins and rankings (docs/measures.md): the objection window in working days, the size of the red and
# black lists, the minimum volume below which a unit is listed but not ranked (a weight scheme may set its own).
BULLETIN_OBJECTION_WORKING_DAYS = env.int("BULLETIN_OBJECTION_WORKING_DAYS", default=3)
BULLETIN_LIST_SIZE = env.int("BULLETIN_LIST_SIZE", default=3)
BULLETIN_MIN_VOLUME = env.int("BULLETIN_MIN_VOLUME", default=5)

# Map: polygons on a plain background unless a tile URL is configured (e.g. 天地图 with a key).
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
# Public site address used in QR codes and residents' tracking links; empty means "the host of the request"
# (and http://127.0.0.1:8000 in messages sent outside a request).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")

# Office hours for limits counted in working hours (cases.calendar): the afternoon starts later in summer.
OFFICE_HOURS = env.json("OFFICE_HOURS", default={
    "summer_months": [5, 6, 7, 8, 9],
    "summer": ["08:30-12:00", "15:00-18:30"],
    "winter": ["08:30-12:00", "14:30-18:00"],
})
# Cases: residents' online requests are limited per mobile number and per network address.
CASE_PUBLIC_PER_MOBILE_PER_DAY = env.int("CASE_PUBLIC_PER_MOBILE_PER_DAY", default=5)
CASE_PUBLIC_PER_IP_PER_HOUR = env.int("CASE_PUBLIC_PER_IP_PER_HOUR", default=20)
# Open311 reads (public, no key) per client address: django-ratelimit's rate syntax.
OPEN311_READS_PER_IP = env.str("OPEN311_READS_PER_IP", default="120/h")
# Failed lookups of a tracking link (reference number + mobile) per address per hour, then 429 for the hour: the
# page must not become a way to guess which mobile filed which case (django-ratelimit, in the cache).
CASE_LOOKUP_FAILURES_PER_IP = env.str("CASE_LOOKUP_FAILURES_PER_IP", default="10/h")
# Proxies in front of the web tier (a load balancer: 1). The client address is then read from X-Forwarded-For
# (wudu/net.py; DRF's throttles read the same setting). 0 = the header is ignored.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# Where notices go besides the in-app centre: "log" (default), "sms", "wechat" (cases.notify's adapters).
NOTIFY_CHANNELS = env.list("NOTIFY_CHANNELS", default=["log"])
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
WECHAT_WEBHOOK_URL = env.str("WECHAT_WEBHOOK_URL", default="")

REST_FRAMEWORK = {
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call is answered 401 with a Token challenge (hashed, expiring: wudu/tokens.py).
        "wudu.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "wudu.passwords.PasswordIsCurrent"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "wudu.api.ServiceSchema",  # documents every error an operation can answer
    "DEFAULT_PAGINATION_CLASS": "wudu.pagination.KeysetPagination",
    "EXCEPTION_HANDLER": "wudu.api.exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="60/minute"),
        "user": env.str("API_USER_RATE", default="2000/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "网格通 API",
    "DESCRIPTION": "Grid party-building and community service platform of 魏都区 (Weidu, Xuchang).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PartnerKindEnum": "grids.models.PartnerKind",
        "OrganizationKindEnum": "outreach.models.OrganizationKind",
        "SiteKindEnum": "ledger.models.SiteKind",
        "CaseKindEnum": "cases.models.Kind",
        "CaseSourceEnum": "cases.models.Source",
        "CaseLevelEnum": "cases.models.Level",
        "CaseStatusEnum": "cases.models.Status",
        "PlaceLevelEnum": "grids.models.Level",
        "LecturerKindEnum": "outreach.models.LecturerKind",
        "LessonRequestStatusEnum": "outreach.models.RequestStatus",
        "LessonRequestSourceEnum": "outreach.models.RequestSource",
        "OutreachEventKindEnum": "outreach.models.EventKind",
        "OutreachEventStatusEnum": "outreach.models.EventStatus",
        "AudienceCountEnum": "outreach.models.AudienceCount",
    },
}

# Celery: no broker means tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None) or None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "wudu.tasks.heartbeat_task",
        "schedule": HEARTBEAT_SECONDS,
        # A heartbeat delivered late (after an outage) must not make a dead beat look alive.
        "options": {"expires": HEARTBEAT_SECONDS},
    },
    # 日报告 at 21:00 Asia/Shanghai (CELERY_TIMEZONE), district by district in one task; late records rebuild
    # their district's day on their own (debounced, DAILY_REPORT_REBUILD_DELAY_SECONDS).
    "daily-report": {
        "task": "ledger.tasks.daily_report_build_task",
        "schedule": crontab(hour=21, minute=0),
        "options": {"expires": 3 * 3600},
    },
    # Case timers: due soon (80 % of the limit used) and overdue, every 15 minutes.
    "case-timers": {
        "task": "cases.tasks.case_timers_task",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    # Residents' limit counters of past windows (wudu/quota.py).
    "quota-prune": {
        "task": "wudu.tasks.quota_prune_task",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # 月通报 on the 1st at 08:00 (and 季排名 on a quarter's first day): drafts open for objections.
    "bulletins": {
        "task": "bulletins.tasks.bulletins_build_task",
        "schedule": crontab(day_of_month=1, hour=8, minute=0),
        "options": {"expires": 12 * 3600},
    },
    # Late data against published bulletins: a restatement note, never a silent change.
    "bulletin-restatements": {
        "task": "bulletins.tasks.restatements_check_task",
        "schedule": crontab(hour=4, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # The holiday calendar: keep provisional years stored ahead, warn before the official one runs out.
    "holiday-calendar": {
        "task": "cases.tasks.holiday_calendar_watch_task",
        "schedule": crontab(hour=6, minute=10),
        "options": {"expires": 6 * 3600},
    },
}

# --- identity (passwords, sessions, refusals at start) ---
# A signed-in session ends after this many minutes without a request (the next one signs out and asks to sign in
# again), and at the latest this many hours after sign-in, however busy (wudu/sessions.py).
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.float("SESSION_ABSOLUTE_HOURS", default=12.0)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_HOURS * 3600)
# A password is refused if it is one of the person's last N (0 = no history kept); it must be changed after this
# many days (0 = never expires); a reset link is valid this many minutes (wudu/passwords.py).
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_MINUTES", default=120) * 60
AUTH_PASSWORD_VALIDATORS.append(
    {"NAME": "wudu.passwords.HistoryValidator", "OPTIONS": {"count": PASSWORD_HISTORY_COUNT}}
)
# Reset links go to the person's mobile through the notice channels (NOTIFY_CHANNELS); to a person without one, by
# e-mail: printed on the console unless a mail server is configured (EMAIL_URL, e.g. smtp+tls://user:pw@host:587).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update({key: value for key, value in EMAIL_CONFIG.items() if value not in (None, "")})
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="wangge@localhost")
# --- ops: headers, /healthz, backups ---
# Browser features the pages may use (Permissions-Policy, wudu.middleware.SecurityHeadersMiddleware): the position
# (the patrol route, a case's place, the public map), the camera (the patrol page's photo input opens it) and
# passkeys (WebAuthn sign-in); every other feature is off, for this site and anything it would embed.
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    "camera": ["self"],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    **{feature: [] for feature in (
        "accelerometer", "autoplay", "bluetooth", "browsing-topics", "display-capture", "encrypted-media",
        "fullscreen", "gamepad", "gyroscope", "hid", "idle-detection", "local-fonts",
        "magnetometer", "microphone", "midi", "payment", "picture-in-picture", "screen-wake-lock", "serial",
        "usb", "xr-spatial-tracking",
    )},
}
# /healthz without a system administrator's session: the same answer for this many seconds (kept in the process,
# not in the shared cache: it is this node's health), and at most HEALTHZ_RATE per client address (429 past it).
HEALTHZ_CACHE_SECONDS = env.float("HEALTHZ_CACHE_SECONDS", default=5.0)
HEALTHZ_RATE = env.str("HEALTHZ_RATE", default="60/m")
# A cache that never leaves the process (never Redis), for /healthz's copy of its answer.
CACHES["process"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "wudu-process"}
# Where `make backup` (manage.py backup) writes its archives, and `make restore` looks for the latest one.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "var" / "backups")
# --- outbox and lost tasks (issue 14, points 8-9) ---
# Tasks go through the outbox (wudu/outbox.py): written in the change's transaction, published after commit on a
# connection of their own that gives up after this many seconds (no retry in the request; the relay retries).
OUTBOX_PUBLISH_TIMEOUT_SECONDS = env.float("OUTBOX_PUBLISH_TIMEOUT_SECONDS", default=1.5)
# How long `manage.py outbox_relay` sleeps between passes that found nothing to send.
OUTBOX_RELAY_INTERVAL_SECONDS = env.float("OUTBOX_RELAY_INTERVAL_SECONDS", default=1.0)
# Sent messages and done effects are forgotten after this many days.
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
# A message a worker took and never acknowledged (the worker killed whole, its machine lost) goes back to the queue
# after this many seconds. It must be longer than the longest task's hard time limit (bulletins: 420 s), or a task
# still running is handed to a second worker.
CELERY_VISIBILITY_TIMEOUT_SECONDS = env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=600)
if CELERY_VISIBILITY_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT_SECONDS must be a positive number of seconds.")
# Workers look for such messages every few seconds (kombu's default look is every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS,
                                   "unacked_restore_interval": min(10, max(1, CELERY_VISIBILITY_TIMEOUT_SECONDS // 5)),
                                   "unacked_restore_throttle": 1}
# CELERY_RESULT_BACKEND (above) serves only callers that wait for a result (the live tests, bench): the outbox's
# messages ask for none, so no request touches it (a Redis result backend that does not answer retries ~19 s).
# Limits of a task that sets none of its own; the long ones (bulletins) set theirs, all below the timeout above.
CELERY_TASK_TIME_LIMIT = 240
CELERY_TASK_SOFT_TIME_LIMIT = 200
# The relay's second path: beat asks a worker to send what is still unsent (and to forget old sent rows).
CELERY_BEAT_SCHEDULE["outbox-relay"] = {
    "task": "wudu.tasks.outbox_relay_task",
    "schedule": 60.0,
    "options": {"expires": 60},
}
# --- API tokens ---
# An API token (POST /api/v1/auth/token/) expires this many hours after it is issued or rotated; the app then signs
# in again. Tokens are stored as digests (django-rest-knox); the header stays `Authorization: Token <key>`.
API_TOKEN_TTL_HOURS = env.float("API_TOKEN_TTL_HOURS", default=8.0)
if not 0 < API_TOKEN_TTL_HOURS <= 24 * 30:
    raise ImproperlyConfigured(f"API_TOKEN_TTL_HOURS must be more than 0 and at most 720, not {API_TOKEN_TTL_HOURS:g}.")
# How many tokens one person may hold at once (one per device); signing in on one more revokes the oldest.
API_TOKENS_PER_USER = env.int("API_TOKENS_PER_USER", default=10)
if API_TOKENS_PER_USER < 1:
    raise ImproperlyConfigured(f"API_TOKENS_PER_USER must be at least 1, not {API_TOKENS_PER_USER}.")
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,  # a token is renewed only by an explicit rotation (POST /api/v1/auth/token/rotate/)
}
# --- twofactor ---
# A second factor (an authenticator app's 6-digit code, TOTP; recovery codes as a way back in) for every account
# that holds a role and every staff account (wudu/twofactor/). On by default in production; off by default for the
# demo (`make run`) and the tests, which sign in without a code. TWO_FACTOR_REQUIRED=on turns it on anywhere.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=PRODUCTION)
# The name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="网格通")
# Wrong codes: django-otp waits 1, 2, 4 … seconds (times this factor) between tries on one factor.
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = env.int("OTP_STATIC_THROTTLE_FACTOR", default=1)
# WebAuthn (a security key or the phone's passkey) as a second factor, never instead of the password. The relying
# party is the site's domain (a browser accepts a passkey only on it, and on localhost for the demo: not on an IP
# address); the origins are the addresses the site is opened at.
OTP_WEBAUTHN_RP_ID = env.str("OTP_WEBAUTHN_RP_ID", default=ALLOWED_HOSTS[0].lstrip(".") if PRODUCTION else "localhost")
OTP_WEBAUTHN_RP_NAME = "网格通"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS",
    default=CSRF_TRUSTED_ORIGINS or ([f"https://{OTP_WEBAUTHN_RP_ID}"] if PRODUCTION else ["http://localhost:8000"]),
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# The admin lists people's devices but never shows a TOTP key, its QR code or a recovery code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# --- audit ---
# The request's user is resolved only when a write is recorded (audit/context.py): no query on pages that write nothing.
PGHISTORY_JSON_ENCODER = "audit.context.ContextEncoder"
# The day seal of the audit's hash chain (audit/chain.py) at 00:20, once yesterday's writes are done.
CELERY_BEAT_SCHEDULE["audit-seal"] = {
    "task": "audit.tasks.audit_seal_task",
    "schedule": crontab(hour=0, minute=20),
    "options": {"expires": 12 * 3600},
}
# --- sec14 ---
# A rotation renews a token for API_TOKEN_TTL_HOURS, but never past this many days after the sign-in it comes from:
# then the app signs in again (password and second factor).
API_TOKEN_MAX_LIFETIME_DAYS = env.int("API_TOKEN_MAX_LIFETIME_DAYS", default=30)
if not 1 <= API_TOKEN_MAX_LIFETIME_DAYS <= 365 or API_TOKEN_MAX_LIFETIME_DAYS * 24 < API_TOKEN_TTL_HOURS:
    raise ImproperlyConfigured(f"API_TOKEN_MAX_LIFETIME_DAYS must be 1 to 365 days and no shorter than "
                               f"API_TOKEN_TTL_HOURS, not {API_TOKEN_MAX_LIFETIME_DAYS}.")
# /healthz reports the outbox's backlog (unsent messages, the oldest one's age) and is "degraded" past either limit:
# the broker or the relay has been away long enough that notices are late.
OUTBOX_HEALTH_MAX_PENDING = env.int("OUTBOX_HEALTH_MAX_PENDING", default=500)
if OUTBOX_HEALTH_MAX_PENDING < 1:
    raise ImproperlyConfigured(f"OUTBOX_HEALTH_MAX_PENDING must be at least 1, not {OUTBOX_HEALTH_MAX_PENDING}.")
OUTBOX_HEALTH_MAX_AGE_SECONDS = env.int("OUTBOX_HEALTH_MAX_AGE_SECONDS", default=300)
if OUTBOX_HEALTH_MAX_AGE_SECONDS < 30:
    raise ImproperlyConfigured(
        f"OUTBOX_HEALTH_MAX_AGE_SECONDS must be at least 30 (the relay's grace and back-off), not "
        f"{OUTBOX_HEALTH_MAX_AGE_SECONDS}.")

# --- exports ---
# Exports run as tasks (wudu/exports.py): the file is kept this long in a private folder (never under MEDIA_URL),
# downloaded by its owner only; at most this many of one person's exports wait or run at once.
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=72)
EXPORT_MAX_ACTIVE_PER_USER = env.int("EXPORT_MAX_ACTIVE_PER_USER", default=3)
EXPORT_ROOT = env.path("EXPORT_ROOT", default=BASE_DIR / "private" / "exports")
if not 1 <= EXPORT_RETENTION_HOURS <= 24 * 90:
    raise ImproperlyConfigured("EXPORT_RETENTION_HOURS must be between 1 and 2160 (90 days).")
if not 1 <= EXPORT_MAX_ACTIVE_PER_USER <= 50:
    raise ImproperlyConfigured("EXPORT_MAX_ACTIVE_PER_USER must be between 1 and 50.")
CELERY_BEAT_SCHEDULE["export-purge"] = {
    "task": "wudu.tasks.export_purge_task",
    "schedule": crontab(minute=17),
    "options": {"expires": 50 * 60},
}

# --- embedded ---
# `make run` runs a Celery worker, beat and the outbox relay beside the dev server on an embedded broker: kombu's
# filesystem transport in a folder (wudu/broker.py), no service to install. EMBEDDED_BROKER=on (the Makefile's
# `run` sets it) chooses it when no CELERY_BROKER_URL is given; CELERY_BROKER_URL=filesystem:// says it outright.
# Without either, tasks run eagerly in-process (the tests, a bare `manage.py runserver`). Never in production: a
# folder on one machine is not a broker that several machines share.
EMBEDDED_BROKER = env.bool("EMBEDDED_BROKER", default=False)
EMBEDDED_BROKER_DIR = Path(env.str("EMBEDDED_BROKER_DIR", default=str(BASE_DIR / "var" / "broker")))
if EMBEDDED_BROKER and not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem:"):
    if CELERY_BROKER_URL != "filesystem://":
        raise ImproperlyConfigured("CELERY_BROKER_URL=filesystem:// takes no path: the folder is EMBEDDED_BROKER_DIR.")
    if PRODUCTION:
        raise ImproperlyConfigured("The embedded broker (filesystem://) is for `make run` only: production needs "
                                   "CELERY_BROKER_URL=redis://… shared by every machine.")
    CELERY_BROKER_URL = "filesystem://localhost/"  # a host named, or kombu warns on every connection
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_BROKER_TRANSPORT = "wudu.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS.update(data_folder_in=str(EMBEDDED_BROKER_DIR / "queue"),
                                           data_folder_out=str(EMBEDDED_BROKER_DIR / "queue"),
                                           control_folder=str(EMBEDDED_BROKER_DIR / "control"))
    if CELERY_RESULT_BACKEND == "filesystem://":  # not a result backend: tasks sent through the outbox ask for none
        CELERY_RESULT_BACKEND = None
# Several processes write the SQLite file at once under `make run` (the server, the worker, beat, the demo's
# loader): a write transaction takes the lock when it begins and waits its turn (the busy timeout), instead of
# failing at once when its first read turns into a write under WAL. (The tests keep SQLite's default.)
if WUDU_ENV == "development" and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
# The case timers' period in seconds instead of beat's every 15 minutes (0, the default): for a test that watches
# an overdue mark appear under the `make run` stack, or a demo that wants it sooner.
CASE_TIMERS_SECONDS = env.float("CASE_TIMERS_SECONDS", default=0.0)
if CASE_TIMERS_SECONDS < 0:
    raise ImproperlyConfigured("CASE_TIMERS_SECONDS must be 0 (every 15 minutes) or a positive number of seconds.")
if CASE_TIMERS_SECONDS:
    CELERY_BEAT_SCHEDULE["case-timers"] = {**CELERY_BEAT_SCHEDULE["case-timers"], "schedule": CASE_TIMERS_SECONDS,
                                           "options": {"expires": CASE_TIMERS_SECONDS}}
# The progress of the demo history that `make run` adds behind the serving site (wudu/demo_progress.py).
DEMO_PROGRESS_FILE = env.path("DEMO_PROGRESS_FILE", default=BASE_DIR / "var" / "demo-progress.json")
# DEBUG is off by default, so the dev server no longer serves static files itself: WhiteNoise does (see the phone
# block below for how).

# --- phone ---
# Static files (issue 15): collected with hashed names and compressed (gzip, and brotli: requirements.txt), sent by
# WhiteNoise with a year's cache for hashed names, whenever DEBUG is off (`make serve`, `make run`, which collect
# them first; until collectstatic has run, names stay plain: wudu/static.py). Tests keep plain names (a manifest
# left by `make serve` would name files the test server's handler cannot find); tests/browser/
# test_phone_weight_offline.py collects and serves them as production does. A DEBUG run serves the source files
# as they change (WhiteNoise's finders and autorefresh).
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG and WUDU_ENV != "test")
if STATIC_MANIFEST:
    STORAGES["staticfiles"] = {"BACKEND": "wudu.static.Storage"}
# A DEBUG run serves the source files as they change; a development run (`make run`, which collects them first)
# also finds a file not collected yet (e.g. a bare `manage.py runserver` before any collectstatic).
WHITENOISE_USE_FINDERS = DEBUG or WUDU_ENV == "development"
WHITENOISE_AUTOREFRESH = DEBUG
# Source maps are for the developer tools only: not worth compressing (brotli at its best is slow on big files).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

# Volunteer certificates: public verifications (/zhengshu/<token>/) per client address, django-ratelimit's rate
# syntax; past it the page answers 429 (the token space is far too large to guess; this keeps scrapers off).
CERTIFICATE_VERIFY_PER_IP = env.str("CERTIFICATE_VERIFY_PER_IP", default="60/h")

# --- volunteer hours (outreach/services/hours.py) ---
# Check-in and check-out posts of the public page per network address (a wrong code costs one too).
VOLUNTEER_CHECKIN_PER_IP = env.str("VOLUNTEER_CHECKIN_PER_IP", default="60/h")
# A volunteer checks in from this many minutes before an event starts until it ends (and checks out until this
# many minutes after it ends); outside that window the check-in is refused.
VOLUNTEER_CHECKIN_EARLY_MINUTES = env.int("VOLUNTEER_CHECKIN_EARLY_MINUTES", default=30)
VOLUNTEER_CHECKOUT_LATE_MINUTES = env.int("VOLUNTEER_CHECKOUT_LATE_MINUTES", default=30)
# A phone that gives its position must be within this many metres of the venue's map point.
VOLUNTEER_CHECKIN_RADIUS_METRES = env.int("VOLUNTEER_CHECKIN_RADIUS_METRES", default=500)
# The organiser's check-in code changes every this many seconds (the current and the previous code are accepted).
VOLUNTEER_CODE_ROTATE_SECONDS = env.int("VOLUNTEER_CODE_ROTATE_SECONDS", default=300)
# Honour hours (荣誉时长): at most this many hours in one record and for one volunteer in a calendar year.
HONOUR_HOURS_MAX_PER_RECORD = env.int("HONOUR_HOURS_MAX_PER_RECORD", default=20)
HONOUR_HOURS_MAX_PER_YEAR = env.int("HONOUR_HOURS_MAX_PER_YEAR", default=40)
# Anomaly thresholds: one device checking in more than N people a day; more than N hours of service in one day;
# N honour records entered by one person within M minutes (no check-in behind them); N back-entries (honour hours
# for a past event) by one organisation within a day.
HOURS_DEVICE_MAX_PEOPLE = env.int("HOURS_DEVICE_MAX_PEOPLE", default=3)
HOURS_DAILY_MAX = env.int("HOURS_DAILY_MAX", default=12)
HOURS_BURST_COUNT = env.int("HOURS_BURST_COUNT", default=5)
HOURS_BURST_MINUTES = env.int("HOURS_BURST_MINUTES", default=10)
HOURS_BACK_ENTRY_BURST = env.int("HOURS_BACK_ENTRY_BURST", default=10)
# Star levels (星级志愿者) from verified service hours: the hours of 1 to 5 stars.
VOLUNTEER_STAR_HOURS = env.list("VOLUNTEER_STAR_HOURS", cast=int, default=[100, 300, 600, 1000, 1500])
if sorted(VOLUNTEER_STAR_HOURS) != VOLUNTEER_STAR_HOURS or not VOLUNTEER_STAR_HOURS:
    raise ImproperlyConfigured("VOLUNTEER_STAR_HOURS must be increasing hours, e.g. 100,300,600,1000,1500.")
CELERY_BEAT_SCHEDULE["hours-close-forgotten"] = {
    "task": "outreach.tasks.hours_close_forgotten_task",
    "schedule": 15 * 60.0,
    "options": {"expires": 15 * 60},
}
# Outreach, the lecturers' pool: residents' lesson requests (点单) without an account are limited per mobile number and
# per network address, and the audience's ratings (评单) per network address.
LESSON_REQUESTS_PER_MOBILE_DAY = env.int("LESSON_REQUESTS_PER_MOBILE_DAY", default=3)
LESSON_REQUESTS_PER_IP_HOUR = env.int("LESSON_REQUESTS_PER_IP_HOUR", default=10)
LESSON_RATINGS_PER_IP_HOUR = env.int("LESSON_RATINGS_PER_IP_HOUR", default=60)
# Outreach events (outreach/services/events.py): the largest actual audience an event report may state. A community
# lecture or a square performance draws tens to a few thousand; a figure above this is refused as implausible.
EVENT_MAX_AUDIENCE = env.int("EVENT_MAX_AUDIENCE", default=5000)
# --- party life (outreach) ---
# The calendar of 三会一课 and 主题党日: each day at 00:20 (Asia/Shanghai) the meetings due this month and this quarter
# are made for every party organisation (idempotent: a second run creates nothing), so a new month's calendar is
# there on its first morning (outreach.tasks.branch_meetings_schedule_task).
CELERY_BEAT_SCHEDULE["branch-meetings"] = {
    "task": "outreach.tasks.branch_meetings_schedule_task",
    "schedule": crontab(hour=0, minute=20),
    "options": {"expires": 6 * 3600},
}

# --- inspections: the escalation ladder (五书制) and the deadline loop's reminders (inspections/services/ladder.py) ---
# Reminders go to the owner unit this many days before a rectification deadline (two values: the week's, the day's).
INSPECTION_REMIND_DAYS = env.list("INSPECTION_REMIND_DAYS", cast=int, default=[7, 1])
if len(INSPECTION_REMIND_DAYS) != 2 or min(INSPECTION_REMIND_DAYS) < 0 or len(set(INSPECTION_REMIND_DAYS)) != 2:
    raise ImproperlyConfigured("INSPECTION_REMIND_DAYS must be two different day counts, e.g. 7,1.")
# A 告诫书 (warning), issued once a task is overdue, sets a final deadline this many days after the deadline; past it
# comes the 问责书 (accountability letter).
INSPECTION_FINAL_DEADLINE_DAYS = env.int("INSPECTION_FINAL_DEADLINE_DAYS", default=15)
if INSPECTION_FINAL_DEADLINE_DAYS < 1:
    raise ImproperlyConfigured("INSPECTION_FINAL_DEADLINE_DAYS must be at least 1.")
# The ladder's beat: reminders, the day's overdue list and the documents on schedule, at 08:05, 13:05 and 17:05
# (Asia/Shanghai); each message is sent once (a Reminder row per task, kind, deadline and recipient).
CELERY_BEAT_SCHEDULE["inspection-ladder"] = {
    "task": "inspections.tasks.inspection_ladder_task",
    "schedule": crontab(hour="8,13,17", minute=5),
    "options": {"expires": 4 * 3600},
}
# --- inspection findings (inspections/services/findings.py, recurrence.py) ---
# A finding's problem "came back" when a new finding of its category at its place (or a place inside it), or a new
# case of its case category in its place's subtree, comes within this many days of its rectification (its last
# tick-off): the finding and its tasks are reopened.
INSPECTION_RECURRENCE_DAYS = env.int("INSPECTION_RECURRENCE_DAYS", default=180)
# The largest document or photo a team attaches to a finding as evidence (PDF, JPG or PNG).
INSPECTION_EVIDENCE_MAX_BYTES = env.int("INSPECTION_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# Files one finding may carry.
INSPECTION_EVIDENCE_MAX_FILES = env.int("INSPECTION_EVIDENCE_MAX_FILES", default=20)
# Rectification (inspections, tasks area): how many answers one network may post per hour on the residents'
# confirmation page (/zhenggai/<token>/), beyond which it is refused until the hour ends.
INSPECTION_CONFIRM_PER_IP_PER_HOUR = env.int("INSPECTION_CONFIRM_PER_IP_PER_HOUR", default=20)
# The API's name for a rectification task's status (its steps' from/to statuses share the choice set).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["RectificationStatusEnum"] = "inspections.models.TaskStatus"
# The API's name for the kind of a ladder document (督办通知书, 提醒书, 告诫书, 问责书: inspections/api/ladder.py).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["NoticeKindEnum"] = "inspections.api.ladder.NOTICE_KINDS"
# Community services (affairs/api.py): an application's status and result, a service item's mode.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "ApplicationStatusEnum": "affairs.models.Status", "ApplicationResultKindEnum": "affairs.models.ResultKind",
    "ServiceItemModeEnum": "affairs.models.Mode"})

# The daily report's rebuild after late records (ledger.services._rebuild_later): the late records of one district
# and day within this many seconds share one rebuild, run after them (0: one rebuild per record, at once). Kept
# well below OUTBOX_HEALTH_MAX_AGE_SECONDS (a waiting rebuild is an unsent outbox row).
DAILY_REPORT_REBUILD_DELAY_SECONDS = env.int("DAILY_REPORT_REBUILD_DELAY_SECONDS", default=60)
if not 0 <= DAILY_REPORT_REBUILD_DELAY_SECONDS <= OUTBOX_HEALTH_MAX_AGE_SECONDS // 2:
    raise ImproperlyConfigured(
        f"DAILY_REPORT_REBUILD_DELAY_SECONDS must be between 0 and {OUTBOX_HEALTH_MAX_AGE_SECONDS // 2} (half of "
        f"OUTBOX_HEALTH_MAX_AGE_SECONDS), not {DAILY_REPORT_REBUILD_DELAY_SECONDS}.")

# The two big API lists (visits, cases) are rendered by orjson (drf-orjson-renderer, wudu.api.LEAN_RENDERERS); dict
# keys that are not strings (the index of a list field's error) written as strings, as DRF's own renderer does.
REST_FRAMEWORK["ORJSON_RENDERER_OPTIONS"] = (orjson.OPT_NON_STR_KEYS,)

# Community services applied for online (affairs): the one-time code that proves a resident's mobile, and the
# limits on sending it (per mobile and per network, wudu.quota) and on wrong tries.
AFFAIRS_CODE_MINUTES = env.int("AFFAIRS_CODE_MINUTES", default=10)
AFFAIRS_CODE_TRIES = env.int("AFFAIRS_CODE_TRIES", default=5)
AFFAIRS_CODES_PER_MOBILE_PER_HOUR = env.int("AFFAIRS_CODES_PER_MOBILE_PER_HOUR", default=5)
AFFAIRS_CODES_PER_IP_PER_HOUR = env.int("AFFAIRS_CODES_PER_IP_PER_HOUR", default=20)
# How long a proven mobile may be used to submit (minutes after the code was entered).
AFFAIRS_PROOF_MINUTES = env.int("AFFAIRS_PROOF_MINUTES", default=30)
# 好差评: a bad rating opens a rectification the handling unit answers within this many working days.
AFFAIRS_RECTIFY_DAYS = env.int("AFFAIRS_RECTIFY_DAYS", default=5)
# Looks at the public page that verifies an affairs certificate (the QR code on the paper), per network.
AFFAIRS_VERIFY_PER_IP = env.str("AFFAIRS_VERIFY_PER_IP", default="60/h")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # Tracking tokens, mobile numbers and ID-card numbers are masked on every line (wudu/logs.py).
    "filters": {"redact": {"()": "wudu.logs.RedactingFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": env.str("LOG_FORMAT", default="plain"),
                    "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The dev server's request log has its own handler by default: send it through the masking one.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
