"""What the API's front door costs per request: Bearer key authentication, the plan and scope
permissions, and per-key rate limiting with its headers, against the same view without them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salync REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/bench_api_front_door.py [--requests 2000] [--rounds 10]

It never touches the configured database: it creates (once) and migrates a dedicated
``salync_bench`` database on the same server (a ``var/bench.sqlite3`` file without PostgreSQL),
adds a throwaway workspace and key with limits too high to hit, and deletes them at the end.
See bench/README.md.
"""

import argparse
import contextlib
import gc
import os
import random
import statistics
import sys
import time
import types
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "salync_bench"
GUARDED = "/api/v1/_bench/guarded"
OPEN = "/api/v1/_bench/open"
HIGH_LIMIT = 1_000_000_000


def bench_database_url(configured: str | None) -> str:
    """The dedicated benchmark database on the configured server (never the configured one)."""
    if not configured or configured.startswith("sqlite"):
        return f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    parts = urlsplit(configured)
    url = parts._replace(path=f"/{BENCH_DB}").geturl()
    import psycopg
    from psycopg import errors, sql

    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not found:
            with contextlib.suppress(errors.DuplicateDatabase):  # another run was faster
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
    return url


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    # The local settings read the services from the environment like production does. Own
    # cache prefix: counters never meet the app's ("salync") or the test suite's ones.
    os.environ["DJANGO_SETTINGS_MODULE"] = "salync.settings.local"
    os.environ["CACHE_KEY_PREFIX"] = "salync-bench"
    os.environ["DATABASE_URL"] = bench_database_url(os.environ.get("DATABASE_URL"))
    os.environ["DEBUG"] = "0"  # DEBUG would log every query: not what production pays
    os.environ["ALLOWED_HOSTS"] = "testserver"
    (ROOT / "var").mkdir(exist_ok=True)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_views():
    """One tiny view, twice: (a) behind the front door, (b) with the front door removed."""
    from rest_framework.permissions import AllowAny
    from rest_framework.response import Response

    from api.views import ApiView

    class Guarded(ApiView):
        """ApiKeyAuthentication, WorkspaceHasApiAccess + KeyMayWrite, rate limits + headers."""

        def get(self, request):
            return Response({"ok": True})

    class Open(Guarded):
        """The same view and base class with no authentication, AllowAny, no rate limiting."""

        authentication_classes = []
        permission_classes = [AllowAny]

        def check_throttles(self, request):
            pass

    return Guarded.as_view(), Open.as_view()


def count_cache_commands(one) -> int | None:
    """Redis commands (each a network round trip) that one request sends, or None."""
    from django.conf import settings

    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        return None
    from redis.client import Redis

    calls = 0
    original = Redis.execute_command

    def counting(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    with mock.patch.object(Redis, "execute_command", counting):
        one()
    return calls


def round_trip_us() -> dict[str, float]:
    """Median latency of the cheapest PostgreSQL and Redis round trips, for scale."""
    from django.core.cache import cache
    from django.db import connection

    def median_us(fn) -> float:
        times = []
        for _ in range(200):
            start = time.perf_counter_ns()
            fn()
            times.append((time.perf_counter_ns() - start) / 1000)
        return statistics.median(times)

    with connection.cursor() as cursor:
        result = {"database SELECT 1": median_us(lambda: cursor.execute("SELECT 1"))}
    result["cache get"] = median_us(lambda: cache.get("bench:nothing"))
    return result


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per variant and mode")
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests per variant")
    args = parser.parse_args()

    setup_django()

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, RequestFactory, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import path

    from accounts.services import workspace_set_plan
    from api.ratelimit import daily_cache_key
    from apikeys.services import api_key_create
    from portal.services import workspace_setup

    guarded_view, open_view = build_views()
    urls = types.ModuleType("bench_front_door_urls")
    urls.urlpatterns = [path(GUARDED.lstrip("/"), guarded_view), path(OPEN.lstrip("/"), open_view)]
    sys.modules[urls.__name__] = urls

    stamp = f"{os.getpid()}-{time.time_ns()}"
    workspace = workspace_setup(name="Benchmark (throwaway)", owner=None, slug=f"bench-{stamp}")
    workspace_set_plan(
        workspace=workspace, plan="pro", daily_limit=HIGH_LIMIT, burst_limit=HIGH_LIMIT
    )
    api_key, raw_key = api_key_create(workspace=workspace, name="Benchmark", created_by=None)
    headers = {"Authorization": f"Bearer {raw_key}"}
    factory = RequestFactory()
    client = Client()

    def via_view(view, url):
        def one() -> tuple[float, object]:
            request = factory.get(url, secure=True, headers=headers)
            start = time.perf_counter_ns()
            response = view(request)
            response.render()
            return time.perf_counter_ns() - start, response

        return one

    def via_stack(url):
        def one() -> tuple[float, object]:
            start = time.perf_counter_ns()
            response = client.get(url, secure=True, headers=headers)
            return time.perf_counter_ns() - start, response

        return one

    modes = {
        "view": {"a": via_view(guarded_view, GUARDED), "b": via_view(open_view, OPEN)},
        "stack": {"a": via_stack(GUARDED), "b": via_stack(OPEN)},
    }
    per_round = max(1, args.requests // args.rounds)
    samples = {mode: {"a": [], "b": []} for mode in modes}
    queries, cache_commands = {}, {}
    try:
        with override_settings(ROOT_URLCONF=urls.__name__):
            for mode, variants in modes.items():
                for variant, one in variants.items():
                    for _ in range(args.warmup):
                        _elapsed, response = one()
                    # Sanity: both answer 200; only (a) counts and carries the headers.
                    assert response.status_code == 200, (mode, variant, response.content)
                    has_headers = "RateLimit" in response.headers
                    assert has_headers == (variant == "a"), (mode, variant, response.headers)
                    with CaptureQueriesContext(connection) as captured:
                        one()
                    queries[mode, variant] = len(captured.captured_queries)
                    cache_commands[mode, variant] = count_cache_commands(one)
            for _round in range(args.rounds):
                for mode, variants in modes.items():
                    order = list(variants.items())
                    random.shuffle(order)
                    for variant, one in order:
                        gc.collect()
                        for _ in range(per_round):
                            elapsed, response = one()
                            samples[mode][variant].append(elapsed / 1000)
                        assert response.status_code == 200, (mode, variant, response.content)
    finally:
        cache.delete(daily_cache_key(api_key.pk, datetime.now(UTC)))
        workspace.delete()  # and its key

    trips = round_trip_us()
    db = connection.vendor
    if db == "postgresql":
        db = f"PostgreSQL {connection.cursor().connection.info.server_version // 10000}"
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"API front door, {per_round * args.rounds} GETs per variant and mode in {args.rounds} "
        f"interleaved rounds; {db} ({settings.DATABASES['default']['NAME']}), {cache_backend}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print("  (a) ApiView: Bearer key auth + plan/scope permissions + per-key rate limits")
    print("  (b) the same ApiView: no authentication, AllowAny, no rate limiting")
    print("  view = RequestFactory -> view; stack = test client through middleware and URLs\n")
    print(
        f"{'mode':<6} {'variant':<8} {'mean µs':>9} {'median µs':>10} {'p90 µs':>9} "
        f"{'queries':>8} {'cache cmds':>11}"
    )
    for mode in modes:
        for variant in ("a", "b"):
            values = samples[mode][variant]
            commands = cache_commands[mode, variant]
            print(
                f"{mode:<6} {'(' + variant + ')':<8} {statistics.fmean(values):>9.0f} "
                f"{statistics.median(values):>10.0f} {percentile(values, 0.9):>9.0f} "
                f"{queries[mode, variant]:>8} {'-' if commands is None else commands:>11}"
            )
    print()
    for mode in modes:
        a, b = samples[mode]["a"], samples[mode]["b"]
        mean_a, mean_b = statistics.fmean(a), statistics.fmean(b)
        median_a, median_b = statistics.median(a), statistics.median(b)
        print(
            f"{mode:<6} (a)/(b): {mean_a / mean_b:.2f}x mean, {median_a / median_b:.2f}x median; "
            f"overhead {mean_a - mean_b:+.0f} µs mean, {median_a - median_b:+.0f} µs median"
        )
    print(
        "one round trip, median: "
        + ", ".join(f"{name} {value:.0f} µs" for name, value in trips.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
