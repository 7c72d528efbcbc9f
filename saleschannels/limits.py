"""The channels' bounds and timings, defined once."""

MAX_STOCK_BUFFER = 1_000_000  # units held back on one channel
COALESCE_SECONDS = 2  # changes to one variant within this window make one push
SYNC_BATCH = 200  # listings one sync call handles at once
LOCK_SECONDS = 120  # a listing's sync lock, should its holder die
RETRY_BUSY_SECONDS = 1  # a coalesced sync finding a listing busy tries again this soon
SCHEDULED_SYNC_SECONDS = 60  # how often the scheduled sync catches anything missed
HAS_LISTINGS_TTL = 24 * 60 * 60  # the cached "this workspace has listings" flag
NO_LISTINGS_TTL = 5 * 60  # and its negative, re-checked sooner
