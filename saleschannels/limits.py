"""The channels' bounds and timings, defined once."""

from datetime import timedelta

MAX_STOCK_BUFFER = 1_000_000  # units held back on one channel
COALESCE_SECONDS = 2  # changes to one variant within this window make one push
SYNC_BATCH = 200  # listings one sync call handles at once
LOCK_SECONDS = 120  # a listing's sync lock, should its holder die
RETRY_BUSY_SECONDS = 1  # a coalesced sync finding a listing busy tries again this soon
SCHEDULED_SYNC_SECONDS = 60  # how often the scheduled sync catches anything missed
HAS_LISTINGS_TTL = 24 * 60 * 60  # the cached "this workspace has listings" flag
NO_LISTINGS_TTL = 5 * 60  # and its negative, re-checked sooner
ORDERS_PULL_SECONDS = 60  # how often live stores' orders are pulled
ORDERS_OVERLAP = timedelta(minutes=10)  # each pull looks back this far past its cursor
ORDERS_PAGE = 50  # orders per request to a store
RETRY_FIRST = timedelta(minutes=1)  # after a store fails, automatic syncs wait this long,
RETRY_MAX = timedelta(minutes=30)  # doubling with each failure up to this


def retry_delay(failures: int) -> timedelta:
    """How long automatic syncs leave a store alone after its ``failures``-th failure in a row."""
    return min(RETRY_FIRST * 2 ** max(failures - 1, 0), RETRY_MAX)
