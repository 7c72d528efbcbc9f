"""The catalogue's and stock's bounds, defined once: request bodies, services, the admin and
the schema all read them from here."""

MAX_QUANTITY = 1_000_000  # units in one adjustment, either way
MAX_COUNT = 2_000_000_000  # on_hand and thresholds stay inside a 32-bit integer column
MAX_BATCH_LINES = 100  # adjustments in one batch
MAX_VARIANTS = 100  # variants created with one product
MAX_OPTIONS = 20  # option names on one variant
