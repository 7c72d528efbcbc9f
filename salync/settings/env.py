"""The one reader of the process environment for settings."""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_MISSING = object()

# Every variable that configures Salync (settings, gunicorn.conf.py, the entry points): what a
# process started by the test suite or the benchmarks must not inherit from its caller. A test
# keeps the list complete.
CONFIGURATION = frozenset(
    {
        "DATABASE_URL",
        "DATABASE_CONN_MAX_AGE",
        "REDIS_URL",
        "CACHE_KEY_PREFIX",
        "CELERY_BROKER_URL",
        "SECRET_KEY",
        "SALYNC_ENCRYPTION_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "DJANGO_SETTINGS_MODULE",
        "SALYNC_TRUST_X_FORWARDED_PROTO",
        "SALYNC_ALLOW_LOOPBACK_HTTP",
        "SALYNC_WEBHOOK_ALLOW_PRIVATE",
        "SALYNC_WEBHOOK_LEASE_SECONDS",
        "SECURE_HSTS_SECONDS",
        "FORWARDED_ALLOW_IPS",
        "WEB_CONCURRENCY",
        "PORT",
        "LOG_LEVEL",
        "CSRF_TRUSTED_ORIGINS",
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
    }
)


def _raw(name: str, default):
    value = os.environ.get(name)
    if value is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return None
    return value


def str_(name: str, default=_MISSING) -> str:
    value = _raw(name, default)
    return default if value is None else value


def bool_(name: str, default=_MISSING) -> bool:
    value = _raw(name, default)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def int_(name: str, default=_MISSING) -> int:
    value = _raw(name, default)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None


def list_(name: str, default=_MISSING) -> list[str]:
    value = _raw(name, default)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def database(name: str, default: str) -> dict:
    """Parse a database URL (``postgres://…`` or ``sqlite:///…``) into Django's format."""
    url = str_(name, default)
    try:
        return dj_database_url.parse(url)
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a valid database URL.") from None
