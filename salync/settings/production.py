"""Production: DEBUG off, secrets required, HTTPS everywhere."""

from salync.settings import env
from salync.settings.base import *

DEBUG = env.bool_("DEBUG", False)
SECRET_KEY = env.str_("SECRET_KEY")
# Fernet keys for secrets stored encrypted (core.crypto), comma-separated, newest first.
SALYNC_ENCRYPTION_KEYS = env.list_("SALYNC_ENCRYPTION_KEY")
ALLOWED_HOSTS = env.list_("ALLOWED_HOSTS")

SALYNC_ALLOW_LOOPBACK_HTTP = env.bool_("SALYNC_ALLOW_LOOPBACK_HTTP", False)
SALYNC_WEBHOOK_ALLOW_PRIVATE = env.bool_("SALYNC_WEBHOOK_ALLOW_PRIVATE", False)

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
# The API refuses plain HTTP with a JSON error instead of redirecting (SPEC §5.1).
SECURE_REDIRECT_EXEMPT = [r"^api(/|$)"]
SECURE_HSTS_SECONDS = env.int_("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
