"""The benchmark's settings: production's, exactly, with the benchmark's URLconf
(``SALYNC_BENCH_URLCONF``: ``bench.urls``, the app and the baselines, or ``bench.bare_urls``,
the baselines alone, for the bare worker's memory)."""

from salync.settings import env
from salync.settings.production import *  # noqa: F403

ROOT_URLCONF = env.str_("SALYNC_BENCH_URLCONF", "bench.urls")
