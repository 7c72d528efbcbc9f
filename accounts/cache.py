"""Generations in the shared cache: how a copy of rows kept in the cache (the API's front door
keeps one per key) learns that the rows changed, on every process and host at once.

A generation is a random token, not a counter: a token that was evicted or expired comes back
as a new value, never as an old one a stale copy could still carry. A copy records the tokens
it read *before* reading the rows, so a change that lands while it is being filled leaves it
with a token that no longer matches.
"""

import secrets
from functools import cache as memoize

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

# One generation for every workspace's plan, limits and name: a key's cached copy is found by
# the key alone, before its workspace is known, so this one is read in the same round trip.
# These change rarely (staff set plans, owners rename), and a change costs each key one query.
WORKSPACES_GENERATION_KEY = "accounts:workspaces:generation"


@memoize
def shared_redis() -> redis.Redis | None:
    """The one raw client of the shared cache's Redis, for what the cache API cannot do in one
    round trip (the API's rate-limit script); None without Redis (local memory). Made once per
    process: Django's cache builds a new client object on every call."""
    return redis.Redis.from_url(settings.REDIS_URL) if settings.REDIS_URL else None


def generation_bump(cache_key: str) -> None:
    """Give ``cache_key`` a new generation now, and again once the current transaction commits
    (a copy filled meanwhile from the rows as they were before the commit is refused too)."""
    cache.set(cache_key, secrets.token_hex(8), timeout=None)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: cache.set(cache_key, secrets.token_hex(8), timeout=None))


def generations_current(cache_keys: list[str], found: dict) -> dict[str, str]:
    """The generation of each of ``cache_keys``, from ``found`` (a ``get_many`` already made)
    where it is there; a missing one is started (first writer wins) and read back."""
    missing = [key for key in cache_keys if found.get(key) is None]
    for key in missing:
        cache.add(key, secrets.token_hex(8), timeout=None)
    current = {key: found[key] for key in cache_keys if key not in missing}
    if missing:
        current.update(cache.get_many(missing))
    return current


def generations_read(cache_keys: list[str]) -> tuple:
    """The generation of each of ``cache_keys`` as the shared cache stores it (on Redis, its
    raw bytes, which a script can compare), starting the missing ones: what a copy records
    *before* reading its rows."""
    client = shared_redis()
    if client is None:
        current = generations_current(cache_keys, cache.get_many(cache_keys))
        return tuple(current[key] for key in cache_keys)
    names = [cache.make_key(key) for key in cache_keys]
    values = client.mget(names)
    if None in values:
        generations_current(cache_keys, {})
        values = client.mget(names)
    return tuple(values)


def generations_match(cache_keys: list[str], generations: tuple) -> bool:
    """Whether the shared cache still holds ``generations`` (one round trip)."""
    client = shared_redis()
    if client is None:
        found = cache.get_many(cache_keys)
        return tuple(found.get(key) for key in cache_keys) == generations
    return tuple(client.mget([cache.make_key(key) for key in cache_keys])) == generations


def workspace_generation_bump() -> None:
    """A workspace's plan, limits or name changed, or it was deleted: cached copies are stale."""
    generation_bump(WORKSPACES_GENERATION_KEY)
