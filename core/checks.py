"""Start-up checks that stop a misconfigured process before it serves anything."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Caches whose counters are shared by every process and host and incremented atomically.
SHARED_CACHE_BACKENDS = frozenset(
    {
        "django.core.cache.backends.redis.RedisCache",
        "django.core.cache.backends.memcached.PyMemcacheCache",
        "django.core.cache.backends.memcached.PyLibMCCache",
    }
)


def require_shared_cache() -> None:
    """With DEBUG off, refuse to start on a per-process cache: rate limits would be wrong."""
    if settings.DEBUG:
        return
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in SHARED_CACHE_BACKENDS:
        raise ImproperlyConfigured(
            f"The cache backend {backend} is not shared between processes, so rate limits "
            "and login throttling would be wrong. Set REDIS_URL (DEBUG is off)."
        )


def require_encryption_keys() -> None:
    """Refuse to start with encryption keys Fernet cannot use: a channel's stored key would
    be unreadable only later, in a worker, far from the cause."""
    from core.crypto import check_keys

    check_keys()
