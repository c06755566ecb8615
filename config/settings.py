"""Settings for 四链对接平台, read from environment variables (one module for every environment).

Embedded default (nothing set): SQLite file in the project folder, tasks run in-process after commit,
console e-mail. Production: set DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config.env import env_bool, env_float, env_int, env_list, env_str
from ops.logconfig import build_logging

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off (production). For development run `make run` once "
            "(it writes .env.local with DEBUG=1) or set DEBUG=1."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address users reach the site at, for links in e-mails sent by background tasks.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django's admin with the site's two-step login (accounts.admin_site.TwoFactorAdminSite).
    "accounts.admin_site.TwoFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "csp",
    "core",
    "chains",
    "accounts",
    "matchmaking",
    "reports",
    "devindex",
    "events",
    "challenges",
    "profiles",
    "ops",
]
# Development tools (demo data, load test, benchmarks, matching evaluation): never in production unless asked for.
DEVTOOLS = DEBUG or env_bool("DEVTOOLS", False)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # request counts and latency for /metrics
    "ops.logcontext.RequestIdMiddleware",  # X-Request-ID; request, user and order ids in every log line
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",  # Django's, the user row cached (exact; USER_CACHE)
    "django_otp.middleware.OTPMiddleware",
    "config.middleware.SessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.idempotency.IdempotencyMiddleware",  # Idempotency-Key on API POSTs (after authentication)
    "config.middleware.CSPMiddleware",  # django-csp's, the policy string built once per process
    "config.middleware.PrometheusAfterMiddleware",  # django-prometheus's, its labelled series kept per process
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            # Django's i18n and static libraries with constant texts and paths resolved once per process (same
            # output; core/templatetags/i18n_cached.py, static_cached.py).
            "libraries": {
                "i18n": "core.templatetags.i18n_cached",
                "static": "core.templatetags.static_cached",
            },
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_JIT", False):
    # PostgreSQL's JIT compiles expensive-looking aggregate plans for ~0.7 s before running them in ~0.2 s:
    # a loss for this site's dashboard queries, so it is off unless DB_JIT=1.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_SERVER_SIDE_BINDING", True
):
    # Parameters bound by the server, so psycopg prepares a query after its 5th run on a connection (DB_PREPARE_THRESHOLD) and
    # PostgreSQL skips planning it again (the order pages' 10-table joins plan in 2-7 ms and run in 0.4 ms).
    # With PgBouncer in transaction mode this needs PgBouncer >= 1.21 with max_prepared_statements > 0.
    # Django turns psycopg's automatic preparing off unless prepare_threshold is given.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": env_int("DB_PREPARE_THRESHOLD", 5, minimum=0)}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
# The same backend wrapped by django-prometheus: query counts, errors and latency per database in /metrics;
# PostgreSQL's through core.pgbackend (the same, reading timestamptz values faster).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
if DATABASES["default"]["ENGINE"] == "django_prometheus.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "core.pgbackend"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and login security --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "orders:workbench"  # 工作台: what waits for the user
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Idle timeout: a signed-in session's expiry slides with activity, renewed at most every SESSION_REFRESH_SECONDS
# (config.middleware.SessionRefreshMiddleware) rather than written on every request.
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 300, minimum=0)

# The client's address: REMOTE_ADDR, or behind NUM_PROXIES trusted reverse proxies (each appending to
# X-Forwarded-For) the address the outermost one saw. 0: X-Forwarded-For is never trusted. Used by every
# throttle, the lockout and the login records (accounts.throttling.client_ip).
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0)

# Lockout (django-axes, counted in the database, so every web process sees the same failures): a username is
# locked at the address that failed AXES_FAILURE_LIMIT times in a row, not everywhere, so a stranger cannot lock
# anyone out; an address is locked for every username after AXES_ADDRESS_FAILURE_LIMIT failures (password
# spraying). Both for AXES_COOLOFF_HOURS.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", 0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
SILENCED_SYSTEM_CHECKS = [
    # The dashboards' covering index INCLUDEs columns on PostgreSQL; SQLite (the embedded default) builds it
    # without them, which is all it needs.
    "models.W040",
    # TEMPLATES maps the `i18n` and `static` library names to Django's libraries with constant texts and paths
    # resolved once (core/templatetags/i18n_cached.py, static_cached.py), on purpose; a test
    # (tests/test_settings.py) runs this check and allows no other name used twice.
    "templates.W003",
]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# API tokens (django-rest-knox): stored hashed, expire API_TOKEN_TTL_HOURS after login, revoked by logout, a
# password change or reset and deactivation. Clients send "Authorization: Token <token>".
API_TOKEN_TTL_HOURS = env_float("API_TOKEN_TTL_HOURS", 10.0)
if not 0 < API_TOKEN_TTL_HOURS <= 24 * 366:
    raise ImproperlyConfigured("API_TOKEN_TTL_HOURS must be above 0 and at most one year.")
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
API_TOKENS_PER_USER = 10  # older tokens of the same user are revoked when a new one is issued

# Two-factor sign-in (django-otp, TOTP authenticator apps plus single-use backup codes). Every user may enable
# it on the profile page; with REQUIRE_2FA=1 administrators and provincial-body users must.
REQUIRE_2FA = env_bool("REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "四链对接平台"
OTP_LOGIN_SECONDS = 300  # time to enter the code after the password was accepted

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # Hashed names (cache forever); pre-compressed copies unless STATIC_COMPRESS=0 (faster collectstatic).
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_COMPRESS", True)
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}
# Source maps are for developers' browsers only: not worth compressing at every release.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "zip",
    "gz",
    "tgz",
    "bz2",
    "tbz",
    "xz",
    "br",
    "swf",
    "flv",
    "woff",
    "woff2",
    "3gp",
    "3gpp",
    "asf",
    "avi",
    "m4v",
    "mov",
    "mp4",
    "mpeg",
    "mpg",
    "webm",
    "wmv",
    "map",
)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10, minimum=1) * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Cache, Celery and tasks ---------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# "shared": counters every web process must see alike (login, sign-up, password-reset and order-creation
# throttles): Redis when configured, else a database table created by `migrate` (accounts.SharedCacheEntry).
SHARED_CACHE_TABLE = "accounts_shared_cache"
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "core.rediscache.ReusingRedisCache", "LOCATION": REDIS_URL},
        "shared": {"BACKEND": "core.rediscache.ReusingRedisCache", "LOCATION": REDIS_URL},
    }
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport, keeping one redis-py client per channel (core.redisbroker)
    CELERY_BROKER_TRANSPORT = "core.redisbroker:Transport"
    CELERY_TASK_ALWAYS_EAGER = False
    # Sessions read from Redis (one GET instead of a SELECT on every signed-in request), written through to
    # the database, which stays the record (nothing deletes session rows behind the cache's back). Not with
    # the per-process local-memory cache: a logout in one process would not reach another's copy.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": SHARED_CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }
    CELERY_BROKER_URL = "memory://localhost/"  # never connected to; a host name keeps kombu from warning
    # No broker configured: tasks run in-process (after the transaction commits).
    CELERY_TASK_ALWAYS_EAGER = True
# Per-user figures every signed-in page reads, kept in the default cache and invalidated exactly by the writes
# (accounts.usercache: the session's user row; accounts.orgcache: the user's organisation; matchmaking.unread:
# the unread-message count). Only where that
# cache is shared by every web process (Redis): a per-process cache would miss the other processes' writes.
USER_CACHE = env_bool("USER_CACHE", bool(REDIS_URL))
ORG_CACHE = env_bool("ORG_CACHE", bool(REDIS_URL))
UNREAD_CACHE = env_bool("UNREAD_CACHE", bool(REDIS_URL))
CELERY_TASK_EAGER_PROPAGATES = DEBUG
# A worker keeps its database connection from one task to the next, as a web process does between requests:
# Celery's Django fix-up otherwise closes it before and after every task (without CELERY_DB_REUSE_MAX), so every
# task paid a new PostgreSQL connection (~2 ms of worker CPU, a new server process) and lost the connection's
# prepared statements and compiled SQL (core.compiledsql). config.celery closes it when it is broken or older than
# CONN_MAX_AGE (close_old_connections, around every task); the fix-up still closes it after this many tasks.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000, minimum=0)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Two queues, both consumed by a worker started without -Q, which takes from them in turn: "celery" (matching of
# submitted and edited orders, notifications, exports) and "rematch" (bulk re-matching by the sweeper and after
# catalog changes). An order submitted while hundreds of re-matches wait is then matched after one of them, not
# after all of them (they took the worker ~40 s for 800 orders).
MATCH_REMATCH_QUEUE = "rematch"
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue(CELERY_TASK_DEFAULT_QUEUE), Queue(MATCH_REMATCH_QUEUE))

# --- E-mail --------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "四链对接平台 <noreply@silian.fujian.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API ------------------------------------------------------------------------------------
# Idempotency-Key on API POSTs (core.idempotency): how long a key and its first answer are kept.
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24, minimum=1)
# Web forms' one-time tokens (core.formtokens): how long a consumed token still shows its first result.
FORM_TOKEN_TTL_DAYS = env_int("FORM_TOKEN_TTL_DAYS", 7, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    # The API reads JSON only, with a nesting limit: a form-encoded or multipart body is a 415 (the file uploads name
    # their parsers); malformed or absurdly nested JSON answers 400, never 500.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.SafeJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    # Per-address throttles (login, sign-up, password reset) key on accounts.throttling.client_ip; DRF's own
    # address lookup follows the same NUM_PROXIES.
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        # Login attempts per address: the web form, the two-step code and POST /api/v1/auth/token/ together.
        "login": env_str("THROTTLE_LOGIN", "10/min"),
        "signup": env_str("THROTTLE_SIGNUP", "10/hour"),
        "password_reset": env_str("THROTTLE_PASSWORD_RESET", "10/hour"),  # per address
        "password_reset_email": env_str(
            "THROTTLE_PASSWORD_RESET_EMAIL", "3/hour"
        ),  # per e-mail address asked for
        "order_create": env_str("THROTTLE_ORDER_CREATE", "30/hour"),
        "user": env_str("THROTTLE_USER", "2000/hour"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "四链对接平台 API",
    "DESCRIPTION": "福建省县域重点产业链供需对接平台 API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components (`…Request`), so a text field that may not be blank says so there
    # (minLength 1) without claiming it of responses: the schema then allows only what the API accepts.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.errors.document_page_not_found",
        "core.apischema.exact_query_parameters",
        "core.apischema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrderKindEnum": "matchmaking.choices.OrderKind",
        "OrderStateEnum": "matchmaking.choices.OrderState",
        "ProposalStateEnum": "matchmaking.choices.ProposalState",
        "EventKindEnum": "matchmaking.choices.EventKind",
        "NotificationKindEnum": "matchmaking.choices.NotificationKind",
        "ChainStatusEnum": "chains.choices.ChainStatus",
        "DockingEventKindEnum": "events.choices.EventKind",
        "DockingEventStateEnum": "events.choices.EventState",
        "SourceEnum": "core.choices.Source",
        "IndexSourceEnum": "devindex.choices.ResultSource",
        "IndexReportStateEnum": "devindex.choices.ReportState",
        "ChallengeListStateEnum": "challenges.choices.ListState",
        "ChallengeStateEnum": "challenges.choices.ChallengeState",
        "BidStateEnum": "challenges.choices.BidState",
        "ProjectStateEnum": "challenges.choices.ProjectState",
        "MilestoneStateEnum": "challenges.choices.MilestoneState",
    },
}

# --- Workflow and matching -----------------------------------------------------------------------
CLAIM_SLA_WORKING_DAYS = env_int("CLAIM_SLA_WORKING_DAYS", 3, minimum=1)
PROGRESS_SLA_DAYS = env_int("PROGRESS_SLA_DAYS", 14, minimum=1)
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 60, minimum=0)  # 0 = always recompute
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 5000, minimum=1)  # larger exports run as a Celery job
IMPORT_SYNC_MAX_ROWS = env_int("IMPORT_SYNC_MAX_ROWS", 2000, minimum=0)  # larger admin imports: a Celery job
MATCH_NOTIFY_THRESHOLD = env_float("MATCH_NOTIFY_THRESHOLD", 0.6)
MATCH_TOP_N = env_int("MATCH_TOP_N", 20, minimum=1)
# A match list ends (暂无更多高相关资源) at the first candidate below this score instead of padding it.
MATCH_MIN_SCORE = env_float("MATCH_MIN_SCORE", 0.15)
# How many earlier orders teach the engine which words are generic (words in > 20 % of them).
MATCH_GENERIC_ORDERS = env_int("MATCH_GENERIC_ORDERS", 5000, minimum=0)
# Build the matching indexes once in gunicorn's master and in the Celery worker's main process, before they fork
# their workers, which then share that memory (config.warmup.preload_indexes); off: each worker builds its own.
MATCH_PRELOAD_INDEX = env_bool("MATCH_PRELOAD_INDEX", True)
# Engine weights overriding `engine/weights.py` DEFAULT_WEIGHTS (unknown keys fail `check`),
# e.g. {"geo.same_prefecture": 0.8, "capital.fit": 0.3}. Empty: the engine's defaults. A change rebuilds
# the index (its version includes the weights).
MATCHING_WEIGHTS: dict[str, float] = {}
MATCH_RUNNING_TIMEOUT = env_int("MATCH_RUNNING_TIMEOUT", 600, minimum=30)  # s before `running` is stuck
MATCH_SWEEP_GRACE = env_int("MATCH_SWEEP_GRACE", 60, minimum=0)  # s a pending order waits for its task
MATCH_SWEEP_BATCH = env_int("MATCH_SWEEP_BATCH", 1000, minimum=1)  # orders per reason per sweep
MATCH_SWEEP_RETRIES = env_int("MATCH_SWEEP_RETRIES", 3, minimum=0)  # sweeps re-trying a failed order
MATCH_SWEEP_SECONDS = env_int("MATCH_SWEEP_SECONDS", 300, minimum=1)  # beat interval of the sweeper
# 揭榜挂帅: bidding closes by a sweeper; overdue milestones remind the winner, then escalate after N days.
CHALLENGE_ESCALATE_DAYS = env_int("CHALLENGE_ESCALATE_DAYS", 7, minimum=1)
CHALLENGE_OUTLIER_POINTS = env_float(
    "CHALLENGE_OUTLIER_POINTS", 20.0
)  # points from the median that flag a score
CHALLENGE_SWEEP_SECONDS = env_int("CHALLENGE_SWEEP_SECONDS", 600, minimum=60)  # deadline sweeper interval
CHALLENGE_PROPOSED_TOP = env_int("CHALLENGE_PROPOSED_TOP", 10, minimum=1)  # proposed bidders per challenge
CELERY_BEAT_SCHEDULE = {
    "close-challenge-bidding": {
        "task": "challenges.tasks.close_due_bidding",
        "schedule": CHALLENGE_SWEEP_SECONDS,
    },
    "remind-overdue-milestones": {
        "task": "challenges.tasks.remind_overdue_milestones",
        "schedule": crontab(hour=8, minute=30),
    },
    "sweep-matches": {"task": "matchmaking.tasks.matching.sweep_matches", "schedule": MATCH_SWEEP_SECONDS},
    "check-service-levels": {"task": "matchmaking.tasks.orders.check_service_levels", "schedule": 3600.0},
    "send-daily-digests": {
        "task": "matchmaking.tasks.orders.send_daily_digests",
        "schedule": crontab(hour=8, minute=0),
    },
    "expire-orders": {
        "task": "matchmaking.tasks.orders.expire_orders",
        "schedule": crontab(hour=0, minute=30),
    },
    "sweep-development-index": {"task": "devindex.tasks.sweep_index", "schedule": 900.0},
    "purge-expired-api-tokens": {
        "task": "accounts.tasks.purge_expired_api_tokens",
        "schedule": crontab(hour=3, minute=10),
    },
    # 对接活动: reminders a day and an hour before (every 5 minutes, each reminder once), finishing past events
    "send-event-reminders": {"task": "events.tasks.send_event_reminders", "schedule": 300.0},
    "finish-past-events": {"task": "events.tasks.finish_past_events", "schedule": crontab(minute=15)},
    # the dashboards' summary table against a plain count, nightly; drift is logged as an error and recounted
    "check-order-tally": {
        "task": "matchmaking.tasks.orders.check_order_tally",
        "schedule": crontab(hour=4, minute=20),
        "kwargs": {"rebuild": True},
    },
}

# --- Security (production) -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: scripts only from the site's own files (no inline scripts, no CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Operations (ops/): health, readiness, metrics -------------------------------------------------
# /readyz details and /metrics answer these client addresses (after NUM_PROXIES; networks allowed) or a client
# sending `Authorization: Bearer <OPS_TOKEN>`; everyone else gets the readiness status alone and a 404 for metrics.
OPS_ALLOWED_IPS = env_list("OPS_ALLOWED_IPS", ["127.0.0.1", "::1"])
OPS_TOKEN = env_str("OPS_TOKEN", "")
HEALTH_CELERY_MAX_AGE = env_int(
    "HEALTH_CELERY_MAX_AGE", 60, minimum=5
)  # s: a worker heartbeat older is stale
HEALTH_HEARTBEAT_SECONDS = env_int("HEALTH_HEARTBEAT_SECONDS", 15, minimum=1)
CELERY_METRICS_PORT = env_int("CELERY_METRICS_PORT", 0, minimum=0)  # a worker's own /metrics port (0: none)
CELERY_METRICS_ADDR = env_str("CELERY_METRICS_ADDR", "127.0.0.1")
# Load balancers probe over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Development without a broker runs tasks in-process: Celery, kombu and axes then log warnings only.
# Log lines: LOG_FORMAT "json" (default in production: one JSON object per line with request_id, user_id, order_id,
# task and task_id) or "plain" (default in development). LOG_REQUESTS: one line per request (default with JSON).
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
LOG_REQUESTS = env_bool("LOG_REQUESTS", LOG_FORMAT == "json")
LOGGING = build_logging(
    level=env_str("LOG_LEVEL", "INFO"), fmt=LOG_FORMAT, quiet_in_process=DEBUG and CELERY_TASK_ALWAYS_EAGER
)
