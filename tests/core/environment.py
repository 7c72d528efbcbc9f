"""The process environment for tests that start real processes (manage.py, gunicorn, make):
the caller's, without any variable that configures Salync, so each test sets only its own."""

import os

CONFIGURATION = frozenset(
    {
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "DJANGO_SETTINGS_MODULE",
        "SALYNC_TRUST_X_FORWARDED_PROTO",
        "SALYNC_ALLOW_LOOPBACK_HTTP",
        "SALYNC_WEBHOOK_ALLOW_PRIVATE",
        "SECURE_HSTS_SECONDS",
        "FORWARDED_ALLOW_IPS",
        "WEB_CONCURRENCY",
        "PORT",
    }
)


def clean_environment(**variables: str) -> dict[str, str]:
    """``os.environ`` minus Salync's configuration, plus ``variables``."""
    environ = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    environ.update(variables)
    return environ
