"""Per-key rate limits (SPEC §5.2): a daily quota that resets at 00:00 UTC and a burst limit
per minute, counted in the shared cache so every process and host sees the same numbers.

The burst window is django-ratelimit's fixed one-minute window. django-ratelimit cannot end a
window at midnight UTC, so the daily quota is our own counter keyed by the UTC date. Refused
requests never use up quota (see ``consume``).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django_ratelimit.core import get_usage

from accounts.plans import Entitlements
from apikeys.models import ApiKey

BURST_GROUP = "api-burst"
BURST_WINDOW = 60
DAILY_WINDOW = 86400


@dataclass(frozen=True)
class Window:
    name: str
    limit: int
    used: int
    reset_in: int  # seconds until the window frees

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class RateLimitState:
    daily: Window
    burst: Window
    refused_by: Window | None = None

    def headers(self, now: datetime | None = None) -> dict[str, str]:
        now = now or datetime.now(UTC)
        return {
            "X-RateLimit-Limit": str(self.daily.limit),
            "X-RateLimit-Remaining": str(self.daily.remaining),
            "X-RateLimit-Reset": str(int(now.timestamp()) + self.daily.reset_in),
            "RateLimit-Policy": (
                f'"daily";q={self.daily.limit};w={DAILY_WINDOW}, '
                f'"burst";q={self.burst.limit};w={BURST_WINDOW}'
            ),
            "RateLimit": (
                f'"daily";r={self.daily.remaining};t={self.daily.reset_in}, '
                f'"burst";r={self.burst.remaining};t={self.burst.reset_in}'
            ),
        }


def seconds_to_midnight(now: datetime) -> int:
    """Whole seconds until the next 00:00 UTC, at least 1."""
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - now).total_seconds() + 0.999))


def daily_cache_key(api_key_id: int, now: datetime) -> str:
    return f"api:daily:{api_key_id}:{now:%Y%m%d}"


def _burst_key(group, request) -> str:
    return str(request.auth.pk)


def _burst_usage(request, limit: int, increment: bool) -> dict:
    return get_usage(
        request, group=BURST_GROUP, key=_burst_key, rate=(limit, BURST_WINDOW), increment=increment
    )


def _incr(key: str, timeout: int) -> int:
    """Atomically add one to a counter, creating it if needed (also if evicted meanwhile)."""
    for _attempt in range(3):
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:  # the key vanished between add and incr (eviction, flush)
            continue
    raise RuntimeError(f"Could not count a request in the cache key {key}.")


def _daily_used(api_key: ApiKey, now: datetime) -> int:
    return cache.get(daily_cache_key(api_key.pk, now), 0)


def _burst_window(limit: int, usage: dict) -> Window:
    # django-ratelimit's window still holds at time_left == 0: it frees one second later.
    return Window("burst", limit, usage["count"], max(0, usage["time_left"]) + 1)


def peek(request, entitlements: Entitlements) -> RateLimitState:
    """The current state without counting this request (for responses refused before counting)."""
    now = datetime.now(UTC)
    used = _daily_used(request.auth, now)
    return RateLimitState(
        daily=Window("daily", entitlements.daily_limit, used, seconds_to_midnight(now)),
        burst=_burst_window(
            entitlements.burst_limit,
            _burst_usage(request, entitlements.burst_limit, increment=False),
        ),
    )


def consume(request, entitlements: Entitlements) -> RateLimitState:
    """Count this request against both windows, or refuse it without counting it.

    The daily counter is ours, so it goes first and is taken back on any refusal. The burst
    counter is django-ratelimit's and cannot be taken back; it is only reached by requests the
    daily quota admits, and over the burst limit its window is full anyway, so the extra count
    changes nothing.
    """
    now = datetime.now(UTC)
    to_midnight = seconds_to_midnight(now)
    key = daily_cache_key(request.auth.pk, now)
    used = _incr(key, timeout=to_midnight + 3600)
    if used > entitlements.daily_limit:
        cache.decr(key)
        daily = Window("daily", entitlements.daily_limit, used - 1, to_midnight)
        burst_usage = _burst_usage(request, entitlements.burst_limit, increment=False)
        burst = _burst_window(entitlements.burst_limit, burst_usage)
        return RateLimitState(daily=daily, burst=burst, refused_by=daily)

    burst_usage = _burst_usage(request, entitlements.burst_limit, increment=True)
    burst = _burst_window(entitlements.burst_limit, burst_usage)
    if burst_usage["should_limit"]:
        cache.decr(key)
        daily = Window("daily", entitlements.daily_limit, used - 1, to_midnight)
        return RateLimitState(daily=daily, burst=burst, refused_by=burst)
    daily = Window("daily", entitlements.daily_limit, used, to_midnight)
    return RateLimitState(daily=daily, burst=burst)


def usage_today(api_keys: list[ApiKey]) -> dict[int, int]:
    """Requests counted today per key id, for Plan & usage."""
    now = datetime.now(UTC)
    keys = {daily_cache_key(api_key.pk, now): api_key.pk for api_key in api_keys}
    counts = cache.get_many(list(keys))
    return {api_key_id: counts.get(key, 0) for key, api_key_id in keys.items()}
