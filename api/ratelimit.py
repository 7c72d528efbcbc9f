"""Per-key rate limits (SPEC §5.2): a daily quota that resets at 00:00 UTC and a burst limit
per one-minute window, counted in the shared cache so every process and host sees the same
numbers.

Both windows are fixed windows with their own counters: the daily one is keyed by the UTC
date, the burst one by the minute (shifted per key, so not every key's minute turns at once).
A request counts against the daily quota first, then the burst window; a refused request is
taken back off every counter it reached, so refusals never use up quota.

On Redis (production) both counters move in one atomic Lua script: one round trip per request,
exact under any concurrency. The same script confirms that the process's copy of the key
(``apikeys.services``) is current, by its generations, and counts nothing when it is stale;
it also takes the minute's use marker that decides who writes ``last_used_at``.
django-ratelimit, which throttles sign-ups, is not used here: its counter cannot be taken back
and costs three cache round trips. Without Redis (a laptop, one process) the same steps run
on Django's local-memory cache.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache as memoize

from django.core.cache import cache

from accounts.cache import generations_match, shared_redis
from accounts.plans import Entitlements
from apikeys.models import ApiKey
from apikeys.services import LAST_USED_RESOLUTION, api_key_record_use

BURST_WINDOW = 60
DAILY_WINDOW = 86400

# KEYS: daily, burst, the key's generation, the workspaces' generation, the use marker.
# ARGV: daily limit, daily ttl, burst limit, burst ttl, the two expected generations, marker ttl.
# Returns {-1} when a generation differs (nothing counted), else {daily used, burst used,
# refused by: 0 none, 1 daily, 2 burst, 1 when this request took the use marker}.
CONSUME_SCRIPT = """
if redis.call('GET', KEYS[3]) ~= ARGV[5] or redis.call('GET', KEYS[4]) ~= ARGV[6] then
  return {-1}
end
local daily = redis.call('INCR', KEYS[1])
if daily == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if daily > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return {daily - 1, tonumber(redis.call('GET', KEYS[2]) or '0'), 1, 0}
end
local burst = redis.call('INCR', KEYS[2])
if burst == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
if burst > tonumber(ARGV[3]) then
  redis.call('DECR', KEYS[1])
  redis.call('DECR', KEYS[2])
  return {daily - 1, burst - 1, 2, 0}
end
local first_use = redis.call('SET', KEYS[5], '1', 'NX', 'EX', ARGV[7]) and 1 or 0
return {daily, burst, 0, first_use}
"""


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
    now: datetime
    refused_by: Window | None = None

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.daily.limit),
            "X-RateLimit-Remaining": str(self.daily.remaining),
            "X-RateLimit-Reset": str(int(self.now.timestamp()) + self.daily.reset_in),
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


def daily_cache_key(api_key_id: int, now: datetime | date) -> str:
    return f"api:daily:{api_key_id}:{now:%Y%m%d}"


def _burst_position(api_key_id: int, now: datetime) -> tuple[str, int]:
    """The key's current burst window (cache key) and the whole seconds until it ends."""
    shifted = int(now.timestamp()) + api_key_id % BURST_WINDOW
    window, elapsed = divmod(shifted, BURST_WINDOW)
    return f"api:burst:{api_key_id}:{window}", BURST_WINDOW - elapsed


@memoize
def _consume_script():
    client = shared_redis()
    return None if client is None else client.register_script(CONSUME_SCRIPT)


def _count(
    daily_key: str, burst_key: str, api_key: ApiKey, entitlements: Entitlements, daily_ttl: int
):
    """(daily used, burst used, refused by 0/1/2, took the use marker) after counting one
    request; None when the key's copy is stale (nothing counted)."""
    copy = api_key.key_copy
    script = _consume_script()
    if script is not None:  # evalsha, and the script itself only when Redis lacks it
        names = (daily_key, burst_key, *copy.generation_keys, copy.used_key)
        counted = script(
            keys=[cache.make_key(name) for name in names],
            args=[
                entitlements.daily_limit,
                daily_ttl,
                entitlements.burst_limit,
                2 * BURST_WINDOW,
                *copy.generations,
                LAST_USED_RESOLUTION.seconds,
            ],
        )
        return None if counted[0] == -1 else counted
    # Local memory: one process, so these steps need no more atomicity than each has.
    if not generations_match(list(copy.generation_keys), copy.generations):
        return None
    daily = _incr(daily_key, daily_ttl)
    if daily > entitlements.daily_limit:
        cache.decr(daily_key)
        return daily - 1, cache.get(burst_key, 0), 1, 0
    burst = _incr(burst_key, 2 * BURST_WINDOW)
    if burst > entitlements.burst_limit:
        cache.decr(daily_key)
        cache.decr(burst_key)
        return daily - 1, burst - 1, 2, 0
    first_use = cache.add(copy.used_key, 1, timeout=LAST_USED_RESOLUTION.seconds)
    return daily, burst, 0, int(first_use)


def _incr(key: str, timeout: int) -> int:
    """Add one to a local-memory counter, creating it if needed (also if culled meanwhile)."""
    for _attempt in range(3):
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:  # the key vanished between add and incr
            continue
    raise RuntimeError(f"Could not count a request in the cache key {key}.")


def _windows(entitlements: Entitlements, now: datetime, daily: int, burst: int, burst_reset_in):
    return (
        Window("daily", entitlements.daily_limit, daily, seconds_to_midnight(now)),
        Window("burst", entitlements.burst_limit, burst, burst_reset_in),
    )


def consume(api_key: ApiKey) -> RateLimitState | None:
    """Count this request of ``api_key`` (as ``apikeys.services.api_key_authenticate`` gave it,
    unconfirmed) against both windows, or refuse it without counting it; None, counting
    nothing, when the key's copy is stale. The first counted request of a minute writes
    ``last_used_at``."""
    now = datetime.now(UTC)
    entitlements = api_key.workspace.entitlements
    burst_key, burst_reset_in = _burst_position(api_key.pk, now)
    counted = _count(
        daily_cache_key(api_key.pk, now),
        burst_key,
        api_key,
        entitlements,
        daily_ttl=seconds_to_midnight(now) + 3600,
    )
    if counted is None:
        return None
    daily_used, burst_used, refused, first_use = counted
    if first_use:
        api_key_record_use(api_key)
    daily, burst = _windows(entitlements, now, int(daily_used), int(burst_used), burst_reset_in)
    refused_by = {0: None, 1: daily, 2: burst}[int(refused)]
    return RateLimitState(daily=daily, burst=burst, now=now, refused_by=refused_by)


def peek(request, entitlements: Entitlements) -> RateLimitState:
    """The current state without counting this request (for responses refused before counting)."""
    now = datetime.now(UTC)
    api_key = request.auth
    burst_key, burst_reset_in = _burst_position(api_key.pk, now)
    daily_key = daily_cache_key(api_key.pk, now)
    counts = cache.get_many([daily_key, burst_key])
    daily, burst = _windows(
        entitlements, now, counts.get(daily_key, 0), counts.get(burst_key, 0), burst_reset_in
    )
    return RateLimitState(daily=daily, burst=burst, now=now)


def usage_by_day(api_key_ids: list[int], days: list[date]) -> dict[tuple[int, date], int]:
    """Requests counted per (key id, UTC day) in the live daily counters, in one cache round
    trip. A counter lives until an hour after its day ends; days without one are left out."""
    names = {daily_cache_key(pk, day): (pk, day) for pk in api_key_ids for day in days}
    counts = cache.get_many(list(names))
    return {names[name]: int(count) for name, count in counts.items()}
