"""Test settings: the local defaults, made fast and deterministic.

The services (PostgreSQL, Redis, a Redis broker) come from the environment exactly as in
production, so the same suite runs on SQLite + local memory and on the real stack.
"""

import os

from salync.settings import env
from salync.settings.local import *

# Tests call the API over "HTTPS" (secure=True) unless they test the HTTP refusal itself.
SALYNC_ALLOW_LOOPBACK_HTTP = env.bool_("SALYNC_ALLOW_LOOPBACK_HTTP", False)
# The strict production default: a test that needs a private receiver turns it on itself.
SALYNC_WEBHOOK_ALLOW_PRIVATE = env.bool_("SALYNC_WEBHOOK_ALLOW_PRIVATE", False)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a Celery worker or a second process can share the test database.
    # One file per run (not shared by two runs at once), so a worker process can open it too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}

if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = "salync-test"

if CELERY_BROKER_URL == "filesystem://":
    # Apart from `make run`'s folder, so a test worker never takes a development message.
    CELERY_BROKER_TRANSPORT_OPTIONS = file_broker_options(VAR_DIR / "test-celery-broker")
