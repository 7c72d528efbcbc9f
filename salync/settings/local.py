"""Embedded defaults: runs on a laptop with no services (SQLite, local memory, file broker)."""

from core.crypto import key_from_secret_key
from salync.settings import env
from salync.settings.base import *

DEBUG = env.bool_("DEBUG", True)
SECRET_KEY = env.str_("SECRET_KEY", "django-insecure-local-development-key-not-for-production")
# Fernet keys for secrets stored encrypted (core.crypto), newest first; on a laptop, one
# derived from SECRET_KEY.
SALYNC_ENCRYPTION_KEYS = env.list_("SALYNC_ENCRYPTION_KEY", [key_from_secret_key(SECRET_KEY)])
ALLOWED_HOSTS = env.list_("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

SALYNC_ALLOW_LOOPBACK_HTTP = env.bool_("SALYNC_ALLOW_LOOPBACK_HTTP", DEBUG)
SALYNC_WEBHOOK_ALLOW_PRIVATE = env.bool_("SALYNC_WEBHOOK_ALLOW_PRIVATE", DEBUG)

# WhiteNoise looks for STATIC_ROOT at start; on a laptop it stays empty (files come from apps).
STATIC_ROOT.mkdir(exist_ok=True)

if DEBUG:
    # Static files come from the app folders directly: no collectstatic on a laptop.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
