"""`make bench` (SPEC §6): the app against bare Django views on the real stack — gunicorn with
sync workers, PostgreSQL, Redis, a Celery worker — loaded by wrk and pgbench in their own
processes on loopback, each pair interleaved over rounds, medians reported; then webhooks from
commit to a receiver (bench/webhooks.py). Writes results.md (for people) and results.json (for
scripts). See bench/README.md.

    .venv/bin/python -m bench            # the full suite (make bench), about 6 minutes
    .venv/bin/python -m bench --quick    # 1 round of 1 s runs on 1k/2k products
"""

import argparse
import os
import secrets
import shutil
import socket
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.fernet import Fernet

from bench import load, report
from bench.load import BrokenRun, Server
from salync.settings.env import CONFIGURATION

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/13"
# Between runs: the workers finish what the previous run left in flight.
SETTLE = 0.25


@dataclass(frozen=True)
class Profile:
    rounds: int
    seconds: float  # per wrk run
    warmup: float  # per endpoint, before its first round (0: none)
    small: int  # products in the small catalogue
    large: int  # products in the large catalogue
    adjust: int  # variants the spread adjustments pick among
    webhook_seconds: float  # of events at 50/s for webhook_latency_p99
    webhook_burst: int  # events pushed as fast as possible for webhook_throughput
    database: str
    cache_prefix: str
    output: Path


FULL = Profile(
    rounds=3,
    seconds=5,
    warmup=1,
    small=1000,
    large=100_000,
    adjust=1000,
    webhook_seconds=15,
    webhook_burst=1500,
    database="salync_bench",
    cache_prefix="salync-bench",
    output=ROOT / "bench",
)
QUICK = Profile(
    rounds=1,
    seconds=1,
    warmup=0,
    small=1000,
    large=2000,
    adjust=100,
    webhook_seconds=2,
    webhook_burst=100,
    database="salync_bench_quick",
    cache_prefix="salync-bench-quick",
    output=ROOT / "var" / "bench" / "quick",
)


def environment(profile: Profile, server: str, redis_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) on the benchmark's database, Redis database and cache
    prefix, behind a TLS-terminating proxy as in production (wrk sends X-Forwarded-Proto),
    webhooks allowed to the receiver on 127.0.0.1 (plain http, a loopback address)."""
    env = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SALYNC_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"{server}/{profile.database}",
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=profile.cache_prefix,
        CELERY_BROKER_URL=redis_url,
        SALYNC_TRUST_X_FORWARDED_PROTO="1",
        SALYNC_WEBHOOK_ALLOW_PRIVATE="1",
        LOG_LEVEL="WARNING",
    )
    return env


def missing_tools(server: str, redis_url: str) -> list[str]:
    from urllib.parse import urlsplit

    missing = [
        f"{tool} (apt-get install -y {package})"
        for tool, package in (("wrk", "wrk"), ("pgbench", "postgresql-client"))
        if shutil.which(tool) is None
    ]
    for name, url in (("PostgreSQL", server), ("Redis", redis_url)):
        parts = urlsplit(url)
        try:
            socket.create_connection((parts.hostname, parts.port), timeout=2).close()
        except OSError:
            missing.append(f"{name} at {parts.hostname}:{parts.port}")
    return missing


def clear_cache(redis_url: str, prefix: str) -> None:
    """Delete the run's own cache keys (rate-limit counters, cached keys): its prefix only."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)
    client.close()


def prepare(profile: Profile, database_url: str):
    """The benchmark database migrated, seeded when its data version does not match, and
    fresh keys for this run. Returns the catalogue and whether it was seeded now."""
    import django
    from django.core.management import call_command
    from django.db import connections

    from bench import seed

    seed.database_create(database_url)
    django.setup()
    wanted = seed.data_version(small=profile.small, large=profile.large, adjust=profile.adjust)
    seeded = seed.stored_version() != wanted
    if seeded:
        connections.close_all()
        seed.database_create(database_url, fresh=True)
    call_command("migrate", interactive=False, verbosity=0)
    if seeded:
        seed.seed(small=profile.small, large=profile.large, adjust=profile.adjust)
    catalogue = seed.keys()
    connections.close_all()
    return catalogue, seeded


class Suite:
    """The measurements, in order, against one app server (and a bare one for memory)."""

    def __init__(self, profile: Profile, env: dict[str, str], catalogue, database_url: str):
        self.profile = profile
        self.env = env
        self.catalogue = catalogue
        self.database_url = database_url
        self.results: dict[str, dict] = {}
        self.acknowledged = 0  # 201s the adjustment runs saw
        self.var = ROOT / "var" / "bench" / profile.database
        self.var.mkdir(parents=True, exist_ok=True)
        self.product_json = self.var / "product.json"

    # --- runs ----------------------------------------------------------------------------

    def wrk(self, server: Server, path: str, *, key: str, connections=load.CONNECTIONS, **kw):
        return load.wrk(
            server.base + path,
            seconds=kw.pop("seconds", self.profile.seconds),
            env={"BENCH_KEY": key, **kw.pop("env", {})},
            connections=connections,
            **kw,
        )

    def interleaved(self, runs: dict[str, Callable[[float], float]]) -> dict[str, list[float]]:
        """Each run once per round, in the same order (A B A B …), after a warm-up each."""
        if self.profile.warmup:
            for run in runs.values():
                run(self.profile.warmup)
        figures = {name: [] for name in runs}
        for _round in range(self.profile.rounds):
            for name, run in runs.items():
                figures[name].append(run(self.profile.seconds))
                time.sleep(SETTLE)
        return figures

    def record(self, name: str, figures: dict[str, list[float]], unit: str, **extra) -> None:
        value = statistics.median(figures["value"])
        baseline = statistics.median(figures["baseline"])
        self.results[name] = {
            "value": round(value, 3),
            "baseline": round(baseline, 3),
            "ratio": round(value / baseline, 4),
            "unit": unit,
            "rounds": [
                {"value": round(v, 3), "baseline": round(b, 3)}
                for v, b in zip(figures["value"], figures["baseline"], strict=True)
            ],
            **extra,
        }

    def throughput(self, server: Server, path: str, key: str, **kw) -> Callable[[float], float]:
        return lambda seconds: self.wrk(server, path, key=key, seconds=seconds, **kw).rate

    def latency(self, server: Server, path: str, key: str) -> Callable[[float], float]:
        # One connection: the time of one request, not of a queue in front of the workers.
        return lambda seconds: self.wrk(
            server, path, key=key, seconds=seconds, connections=1
        ).latency_ms["p50"]

    def adjust(self, server: Server, path: str, key: str, skus: int) -> Callable[[float], float]:
        def run(seconds: float) -> float:
            result = self.wrk(
                server,
                path,
                key=key,
                seconds=seconds,
                script="adjust.lua",
                expect=201,
                env={"BENCH_SKUS": str(skus), "BENCH_SKU_PREFIX": "ADJ-"},
            )
            self.acknowledged += result.statuses.get(201, 0)
            return result.rate

        return run

    # --- checks ----------------------------------------------------------------------------

    def check(self, server: Server, path: str, key: str, count: int | None = None) -> bytes:
        import json

        status, body = server.get(path, key)
        if status != 200:
            raise BrokenRun(f"GET {path} answered {status}: {body[:300]!r}")
        if count is not None and len(json.loads(body)["results"]) != count:
            raise BrokenRun(f"GET {path}: {len(json.loads(body)['results'])} results, not {count}")
        return body

    # --- the suite ---------------------------------------------------------------------------

    def run(self) -> None:
        c = self.catalogue
        env = dict(
            self.env,
            SALYNC_BENCH_URLCONF="bench.urls",
            SALYNC_BENCH_PRODUCT_JSON=str(self.product_json),
        )
        server = Server(env, self.var / "gunicorn-app.log")
        try:
            product_path = f"/api/v1/products/{c.product_id}"
            self.product_json.write_bytes(self.check(server, product_path, c.small_key))
            bare_list = f"/_bench/workspaces/{c.small_workspace}/variants"
            self.check(server, "/api/v1/products?limit=100", c.small_key, 100)
            self.check(server, "/api/v1/products?limit=100", c.large_key, 100)
            self.check(server, "/api/v1/stock?limit=100", c.small_key, 100)
            self.check(server, "/api/v1/stock?limit=100", c.large_key, 100)
            self.check(server, "/api/v1/purchase-orders?limit=100", c.small_key, 100)
            self.check(server, "/api/v1/listings?limit=100", c.small_key, 100)
            self.check(server, f"/api/v1/products?q={c.search}", c.small_key, 1)
            self.check(server, f"/api/v1/products?q={c.search}", c.large_key, 1)
            self.check(server, bare_list, "", 100)
            if self.check(server, "/_bench/product", "") != self.product_json.read_bytes():
                raise BrokenRun("the bare product view's bytes differ from the app's")

            self.measure_reads(server, product_path, bare_list)
            app_rss = server.peak_rss_mb()
            before = self.measure_adjustments(server)
            self.measure_webhooks(server)
        finally:
            server.stop()  # graceful: requests still in flight when wrk stopped are applied
        self.check_ledger(before)
        bare_rss = self.bare_worker_rss(bare_list)
        self.results["worker_rss"] = {
            "value": round(app_rss, 1),
            "baseline": round(bare_rss, 1),
            "ratio": round(app_rss / bare_rss, 4),
            "unit": "MB",
            "rounds": [{"value": round(app_rss, 1), "baseline": round(bare_rss, 1)}],
        }

    def measure_reads(self, server: Server, product_path: str, bare_list: str) -> None:
        c = self.catalogue
        figures = self.interleaved(
            {
                "value": self.throughput(server, product_path, c.small_key),
                "baseline": self.throughput(server, "/_bench/product", c.small_key),
            }
        )
        self.record("front_door_get", figures, "req/s")
        figures = self.interleaved(
            {
                "value": self.throughput(server, "/api/v1/products?limit=100", c.small_key),
                "baseline": self.throughput(server, bare_list, c.small_key),
            }
        )
        self.record("product_list_100", figures, "req/s")
        for name, path in (
            ("purchase_order_list_100", "/api/v1/purchase-orders?limit=100"),
            ("listing_list_100", "/api/v1/listings?limit=100"),
        ):
            figures = self.interleaved(
                {
                    "value": self.throughput(server, path, c.small_key),
                    "baseline": self.throughput(server, bare_list, c.small_key),
                }
            )
            self.record(name, figures, "req/s")
        for name, path in (
            ("product_list_growth", "/api/v1/products?limit=100"),
            ("stock_list_growth", "/api/v1/stock?limit=100"),
            ("search_growth", f"/api/v1/products?q={c.search}"),
        ):
            figures = self.interleaved(
                {
                    "value": self.latency(server, path, c.large_key),
                    "baseline": self.latency(server, path, c.small_key),
                }
            )
            self.record(name, figures, "ms (p50)")

    def measure_adjustments(self, server: Server):
        """The adjustment runs; returns the ledger's snapshot from before them."""
        from bench import ledger

        c = self.catalogue
        app = "/api/v1/stock/adjustments"
        bare = f"/_bench/workspaces/{c.adjust_workspace}/adjust"
        before = ledger.snapshot(c.adjust_workspace)
        body = b'{"sku": "ADJ-00000", "quantity": 1, "reason": "received"}'
        for path, key in ((app, c.adjust_key), (bare, "")):
            status, answer = server.get(path, key, method="POST", body=body)
            if status != 201:
                raise BrokenRun(f"POST {path} answered {status}: {answer[:300]!r}")
            self.acknowledged += 1
        raw_rows = self.profile.adjust
        figures = self.interleaved(
            {
                "value": self.adjust(server, app, c.adjust_key, self.profile.adjust),
                "baseline": self.adjust(server, bare, c.adjust_key, self.profile.adjust),
                "raw": lambda seconds: load.pgbench(
                    self.database_url, seconds=seconds, rows=raw_rows
                ),
            }
        )
        self.record("adjust_spread", figures, "adjustments/s")
        self.record(
            "raw_update",
            {"value": figures["value"], "baseline": figures["raw"]},
            "adjustments/s vs UPDATEs/s",
        )
        figures = self.interleaved(
            {
                "value": self.adjust(server, app, c.adjust_key, 1),
                "baseline": self.adjust(server, bare, c.adjust_key, 1),
            }
        )
        self.record("adjust_hot", figures, "adjustments/s")
        return before

    def measure_webhooks(self, server: Server) -> None:
        """Adjustments in their own workspace delivered by a real worker to a receiver here."""
        from bench import webhooks

        c = self.catalogue
        self.results.update(
            webhooks.measure(
                server,
                env=self.env,
                var=self.var,
                workspace_id=c.webhook_workspace,
                key=c.webhook_key,
                skus=c.webhook_skus,
                seconds=self.profile.webhook_seconds,
                burst_events=self.profile.webhook_burst,
            )
        )

    def check_ledger(self, before) -> None:
        from bench import ledger

        found = ledger.check(
            self.catalogue.adjust_workspace, before, acknowledged=self.acknowledged
        )
        self.results["lost_updates"] = {
            "value": found.lost,
            "baseline": found.rows,
            "ratio": round(found.lost / max(1, found.rows), 6),
            "unit": "adjustments",
            "rounds": [],
            "detail": found.detail,
        }

    def bare_worker_rss(self, bare_list: str) -> float:
        """The same settings serving only the bare URLconf, given the bare views' load."""
        env = dict(
            self.env,
            SALYNC_BENCH_URLCONF="bench.bare_urls",
            SALYNC_BENCH_PRODUCT_JSON=str(self.product_json),
        )
        server = Server(env, self.var / "gunicorn-bare.log")
        try:
            self.wrk(server, "/_bench/product", key=self.catalogue.small_key)
            self.wrk(server, bare_list, key=self.catalogue.small_key)
            return server.peak_rss_mb()
        finally:
            server.stop()


def command_line(argv: list[str] | None) -> str:
    return " ".join([".venv/bin/python -m bench", *(sys.argv[1:] if argv is None else argv)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round, 1 s runs, 1k/2k products")
    parser.add_argument("--output", type=Path, help="folder for results.md and results.json")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per pair")
    parser.add_argument("--seconds", type=float, help="seconds per wrk run")
    parser.add_argument("--server", default=SERVER, help=f"PostgreSQL server (default {SERVER})")
    parser.add_argument("--redis", default=REDIS, help=f"Redis database (default {REDIS})")
    args = parser.parse_args(argv)

    started = time.monotonic()
    profile = QUICK if args.quick else FULL
    overrides = {"output": args.output, "rounds": args.rounds, "seconds": args.seconds}
    profile = replace(profile, **{k: v for k, v in overrides.items() if v is not None})
    missing = missing_tools(args.server, args.redis)
    if missing:
        print(f"make bench needs: {', '.join(missing)}", file=sys.stderr)
        return 2

    machine = report.machine_start()
    env = environment(profile, args.server, args.redis)
    os.environ.update(env)
    for name in CONFIGURATION - env.keys():
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    database_url = env["DATABASE_URL"]
    print(f"bench: preparing {profile.database} …", flush=True)
    catalogue, seeded = prepare(profile, database_url)
    clear_cache(args.redis, profile.cache_prefix)
    print(f"bench: {'seeded' if seeded else 'reused'} {profile.database}; measuring …", flush=True)
    suite = Suite(profile, env, catalogue, database_url)
    try:
        suite.run()
    except BrokenRun as error:
        print(f"bench: broken run, no results written: {error}", file=sys.stderr)
        return 1
    finally:
        clear_cache(args.redis, profile.cache_prefix)
    machine.update(report.machine_end(database_url, args.redis))
    run = {
        "command": os.environ.get("SALYNC_BENCH_COMMAND", "").strip() or command_line(argv),
        "profile": profile,
        "seeded": seeded,
        "redis": args.redis,
        "seconds": time.monotonic() - started,
    }
    profile.output.mkdir(parents=True, exist_ok=True)
    report.write(profile.output, suite.results, machine, run)
    print(report.summary(suite.results))
    print(f"bench: wrote {profile.output / 'results.md'} and results.json")
    if suite.results["lost_updates"]["value"] != 0:
        print("bench: lost updates: the ledger does not match on_hand", file=sys.stderr)
        return 1
    return 0
