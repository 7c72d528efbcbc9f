"""Settings shared by every environment. Nothing here depends on DEBUG."""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF

from salync.settings import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "apikeys",
    "api",
    "inventory",
    "purchasing",
    "saleschannels",
    "webhooks",
    "portal",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.ApiTransportMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.CurrentWorkspaceMiddleware",
    "core.middleware.DebugNotFoundPageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salync.urls"
WSGI_APPLICATION = "salync.wsgi.application"

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
                "accounts.context_processors.workspace",
                "core.context_processors.site",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # WAL and immediate transactions let the web process and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Opening a connection costs more than a whole lean request: keep them, check them.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int_("DATABASE_CONN_MAX_AGE", 600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Our queries are short: starting parallel workers costs more than they take (a q= search
    # of 100k products took 8.0 ms with two workers and 3.6 ms without; bench/explain-plans.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c max_parallel_workers_per_gather=0"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.str_("REDIS_URL", None)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str_("CACHE_KEY_PREFIX", "salync"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str_("CELERY_BROKER_URL", "filesystem://")


def file_broker_options(folder: Path) -> dict:
    """kombu's file transport: web and worker exchange messages through one folder.

    Its exchange tables go in a sub-folder too: kombu's default is ``control/`` in the working
    directory, which is the repository.
    """
    control = folder / "control"
    control.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(control),
        "store_processed": False,
    }


if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = file_broker_options(VAR_DIR / "celery-broker")
else:
    # A publish to an unreachable broker fails at once instead of retrying the connection for
    # about 6 s on the request's path: the sweeps queue whatever could not be queued. Workers
    # reconnect on their own terms (broker_connection_retry), unaffected.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": timedelta(hours=6),
    },
    "purge-idempotency-records": {
        "task": "api.tasks.purge_idempotency_records",
        "schedule": timedelta(hours=1),
    },
    "sync-channel-listings": {
        "task": "saleschannels.tasks.sync_all_listings",
        "schedule": timedelta(seconds=60),
    },
    "pull-channel-orders": {
        "task": "saleschannels.tasks.pull_all_orders",
        "schedule": timedelta(seconds=60),
    },
    "sweep-webhook-deliveries": {
        "task": "webhooks.tasks.sweep",
        "schedule": timedelta(seconds=15),
    },
    "purge-old-events": {
        "task": "webhooks.tasks.purge_old_events",
        "schedule": timedelta(hours=6),
    },
    "end-rolled-api-keys": {
        "task": "apikeys.tasks.end_rolled_keys",
        "schedule": timedelta(minutes=5),
    },
    "warn-expiring-api-keys": {
        "task": "apikeys.tasks.warn_expiring_keys",
        "schedule": timedelta(hours=1),
    },
    # Plan & usage's history: today's per-key counters, copied from the cache to the database.
    "flush-key-usage": {
        "task": "api.tasks.flush_key_usage",
        "schedule": timedelta(minutes=5),
    },
}

# --- Authentication ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins (SPEC §3): 5 for one account from one address lock that pair for 15 minutes,
# and leave the other people behind the same office NAT alone. 20 within 15 minutes from
# anywhere lock the account: above what one person mistyping on a laptop, a phone and at the
# office reaches (3 addresses x 4 = 12, each pair short of its own lock), and low enough that
# guessing from many addresses gets at most 20 tries per 15 minutes (accounts.auth).
AXES_HANDLER = "accounts.auth.LoginThrottleHandler"
AXES_FAILURE_LIMIT = 5
SALYNC_LOGIN_ACCOUNT_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Tries refused by a lock are not counted: the lock ends 15 minutes after the failure that set
# it, not 15 minutes after the last impatient retry.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success clears its own pair; failures against the account from elsewhere keep counting.
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Lock the account, not the spelling: "Ann@x.com" and "ann@x.com" share one counter.
AXES_USERNAME_CALLABLE = "accounts.auth.axes_username"
AXES_VERBOSE = False

RATELIMIT_VIEW = "core.views.rate_limited"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- Email ------------------------------------------------------------------------------------
# Password-reset links. The console backend prints mail to the web process's output until an
# SMTP server is configured (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_BACKEND = env.str_("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str_("DEFAULT_FROM_EMAIL", "Salync <no-reply@salync.localhost>")
EMAIL_HOST = env.str_("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int_("EMAIL_PORT", 587)
EMAIL_HOST_USER = env.str_("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str_("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool_("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10

# --- Security headers -------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SALYNC_TRUST_X_FORWARDED_PROTO = env.bool_("SALYNC_TRUST_X_FORWARDED_PROTO", False)
if SALYNC_TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Login and sign-up throttles count per client address (see core.net: proxy-aware).
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
RATELIMIT_IP_META_KEY = "core.net.client_ip"
CSRF_TRUSTED_ORIGINS = env.list_("CSRF_TRUSTED_ORIGINS", [])

# --- Internationalisation, static files -------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str_("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SALYNC_SUPPORT_EMAIL = "support@salync.com"
# Each is called with every domain event after its transaction commits (core.events): channels
# schedule their stock syncs here, and webhooks fan events out to endpoints.
SALYNC_EVENT_CONSUMERS: list[str] = [
    "saleschannels.consumers.on_event",
    "webhooks.consumers.on_event",
]
# Webhook deliveries (SPEC §5.5): (connect, read) timeouts of each POST, and the lease a worker
# takes on a delivery before sending it: longer than any POST can last, so a delivery is sent
# by one worker at a time, and short enough that a killed worker's delivery is retried soon.
SALYNC_WEBHOOK_TIMEOUT = (5.0, 10.0)
SALYNC_WEBHOOK_LEASE_SECONDS = env.int_("SALYNC_WEBHOOK_LEASE_SECONDS", 60)
# A function (variant_ref, location_ref) -> expression of the units on open purchase orders,
# annotated as a stock level's `incoming` (inventory.queries); None: incoming is 0.
SALYNC_STOCK_INCOMING = "purchasing.stock.incoming"
SALYNC_API_MAX_BODY_BYTES = 1024 * 1024

# --- The API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "api.permissions.WorkspaceHasApiAccess",
        "api.permissions.KeyMayWrite",
    ],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    # No OPTIONS metadata (it described writable fields as read-only): the schema documents.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Salync API",
    "VERSION": "v1",
    "DESCRIPTION": (BASE_DIR / "api" / "docs" / "overview.md").read_text(encoding="utf-8"),
    "ENUM_NAME_OVERRIDES": {
        "PlanNameEnum": "accounts.plans.Plan.choices",
        "KeyAccessEnum": "apikeys.models.Access.choices",
        # Purchase orders and channels have statuses too: the catalogue's keeps its name.
        "StatusEnum": "inventory.models.Status.choices",
        "PurchaseOrderStatusEnum": "purchasing.models.OrderStatus.choices",
        # An event's type, an endpoint's event_types and a delivery's event_type: one enum.
        "EventTypeEnum": "webhooks.filters.EVENT_TYPE_CHOICES",
        "TypeEnum": "inventory.schema.SOURCE_TYPES",  # a ledger entry's source
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}
