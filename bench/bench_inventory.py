"""Stock adjustments per second under concurrency, and product list latency at 10k products.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salync REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/bench_inventory.py [--duration 8] [--rounds 2] [--requests 200]

(a) A real server (gunicorn, 4 workers x 2 threads, on a free loopback port) and 8 client
    threads, each with its own HTTP session, for a fixed time per phase:
      - index:  GET /api/v1/ (the front door alone: key, plan, rate limits), the baseline;
      - spread: POST /api/v1/stock/adjustments, each client on its own variant;
      - hot:    the same POST, all 8 clients on one variant (one row lock, taken in turn).
    Phases are interleaved over --rounds. Afterwards every level's on_hand must equal the sum
    of its ledger, with one ledger row per 201 (OK/FAIL).
(b) GET /api/v1/products?limit=50 (plain, ?q= matching every product, ?q= matching one)
    with 100 products against 10,000 (2 variants each, each stocked in one location;
    bulk-inserted): median and p95 of --requests sequential requests per case, the cases
    shuffled in each round, and the 10k/100 ratios.

It never touches the configured database: it creates a dedicated ``salync_bench_inventory``
database on the same PostgreSQL server, migrates it, and drops it at the end. See
bench/README.md.
"""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "salync_bench_inventory"
DROP = "DROP DATABASE IF EXISTS {} WITH (FORCE)"  # PostgreSQL 13+
CLIENTS = 8
HIGH_LIMIT = 1_000_000_000
LOG = ROOT / "var" / "bench-inventory-gunicorn.log"
GUNICORN = [
    "salync.wsgi:application",
    "--workers=4",
    "--worker-class=gthread",
    "--threads=2",
    "--log-level=warning",
    "--bind",
]
# The list queries of (b), with how many of ``size`` products each matches: the same page
# (50 results, or 1) at both sizes, so the ratios compare like with like.
LIST_QUERIES = {
    "limit=50": lambda size: size,
    "limit=50&q=crew": lambda size: size,  # every name: the page fills at once
    "limit=50&q=00042": lambda size: 1,  # one name ("Crew 00042") and its SKUs: reads all rows
}


def admin_url(configured: str) -> str:
    return urlsplit(configured)._replace(path="/postgres").geturl()


def create_bench_database(configured: str) -> str:
    """A fresh, empty benchmark database on the configured server; its URL."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url(configured), autocommit=True) as conn:
        conn.execute(sql.SQL(DROP).format(sql.Identifier(BENCH_DB)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
    return urlsplit(configured)._replace(path=f"/{BENCH_DB}").geturl()


def drop_bench_database(configured: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url(configured), autocommit=True) as conn:
        conn.execute(sql.SQL(DROP).format(sql.Identifier(BENCH_DB)))


def server_environment(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="salync.settings.test",
        DEBUG="0",  # DEBUG would keep every query in memory: not what production pays
        SALYNC_ALLOW_LOOPBACK_HTTP="1",  # plain HTTP from 127.0.0.1, like a local proxy
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(*, spread_variants: int, small: int, large: int) -> dict:
    """Three workspaces, each with a Pro key whose limits are out of reach: stock for (a), and
    catalogues of ``small`` and ``large`` products for (b)."""
    from accounts.services import workspace_set_plan
    from apikeys.services import api_key_create
    from inventory import services
    from portal.services import workspace_setup

    def workspace_with_key(name: str):
        workspace = workspace_setup(name=name, owner=None, plan="pro")
        workspace_set_plan(
            workspace=workspace, plan="pro", daily_limit=HIGH_LIMIT, burst_limit=HIGH_LIMIT
        )
        _key, raw = api_key_create(workspace=workspace, name="Benchmark", created_by=None)
        return workspace, raw

    stock_workspace, stock_key = workspace_with_key("Bench stock")
    product = services.product_create(
        workspace=stock_workspace,
        name="Bench tee",
        variants=[{"sku": f"BENCH-{n}"} for n in range(spread_variants)],
    )
    variant_ids = list(product.variants.order_by("id").values_list("id", flat=True))
    catalogues = {}
    for size in (small, large):
        workspace, raw = workspace_with_key(f"Bench {size} products")
        bulk_catalogue(workspace, size)
        catalogues[size] = raw
    return {"stock_key": stock_key, "variant_ids": variant_ids, "catalogues": catalogues}


def bulk_catalogue(workspace, count: int) -> None:
    """``count`` products of 2 variants, each variant stocked in the default location, in a
    few bulk inserts: "Crew 00000", SKUs "CREW-00000-M" and "CREW-00000-L", and so on."""
    from django.db import transaction

    from inventory.models import Product, StockLevel, Variant
    from inventory.services import location_default

    location = location_default(workspace)
    with transaction.atomic():
        products = Product.objects.bulk_create(
            [Product(workspace=workspace, name=f"Crew {n:05d}") for n in range(count)],
            batch_size=2000,
        )
        variants = Variant.objects.bulk_create(
            [
                Variant(
                    workspace=workspace,
                    product=product,
                    sku=f"CREW-{n:05d}-{size}",
                    options={"size": size},
                    price="24.90",
                )
                for n, product in enumerate(products)
                for size in ("M", "L")
            ],
            batch_size=2000,
        )
        StockLevel.objects.bulk_create(
            [
                StockLevel(workspace=workspace, variant=variant, location=location, on_hand=7)
                for variant in variants
            ],
            batch_size=2000,
        )


def wait_until_up(base: str, key: str, server: subprocess.Popen, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            response = requests.get(
                f"{base}/api/v1/", headers={"Authorization": f"Bearer {key}"}, timeout=2
            )
            if response.status_code == 200:
                return
            raise RuntimeError(f"GET /api/v1/ answered {response.status_code}: {response.text}")
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def run_clients(duration: float, work) -> tuple[int, dict, float]:
    """``CLIENTS`` threads call ``work(client_index, session, sequence)`` until ``duration``
    is up; returns the number of 2xx answers, a count of any other status, and the time."""
    import requests

    start = threading.Barrier(CLIENTS + 1)
    stop_at = [0.0]
    ok = [0] * CLIENTS
    other: dict[int, int] = {}
    lock = threading.Lock()

    def client(index: int) -> None:
        with requests.Session() as session:
            work(index, session, 0)  # untimed: opens the connection
            start.wait()
            sequence = 0
            while time.perf_counter() < stop_at[0]:
                status = work(index, session, sequence)
                sequence += 1
                if 200 <= status < 300:
                    ok[index] += 1
                else:
                    with lock:
                        other[status] = other.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + duration + 3600  # held until everyone is ready
    start.wait()
    began = time.perf_counter()
    stop_at[0] = began + duration
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return sum(ok), other, elapsed


def throughput(base: str, seeded: dict, duration: float, rounds: int) -> dict:
    """Requests per second of each phase, interleaved over ``rounds``; 201s counted for (a)."""
    headers = {"Authorization": f"Bearer {seeded['stock_key']}"}
    variants = seeded["variant_ids"]
    adjustments_url = f"{base}/api/v1/stock/adjustments"
    created = [0]
    lock = threading.Lock()

    def index(_client, session, _sequence):
        return session.get(f"{base}/api/v1/", headers=headers, timeout=30).status_code

    def adjust(variant_of):
        def work(client, session, sequence):
            # +1, -1, +1, …: each client's share of on_hand stays above zero, nothing refused.
            quantity = 1 if sequence % 2 == 0 else -1
            body = {
                "variant_id": variant_of(client),
                "quantity": quantity,
                "reason": "received" if quantity > 0 else "sold",
            }
            response = session.post(adjustments_url, json=body, headers=headers, timeout=30)
            if response.status_code == 201:
                with lock:
                    created[0] += 1
            return response.status_code

        return work

    phases = {
        "index": index,
        "spread": adjust(lambda client: variants[client % len(variants)]),
        "hot": adjust(lambda client: variants[0]),
    }
    totals = {name: [0, 0.0] for name in phases}
    errors: dict[str, dict] = {name: {} for name in phases}
    for _round in range(rounds):
        for name, work in phases.items():
            ok, other, elapsed = run_clients(duration, work)
            totals[name][0] += ok
            totals[name][1] += elapsed
            for status, count in other.items():
                errors[name][status] = errors[name].get(status, 0) + count
    return {
        "rates": {name: ok / elapsed for name, (ok, elapsed) in totals.items()},
        "counts": {name: ok for name, (ok, _elapsed) in totals.items()},
        "errors": errors,
        "created": created[0],  # 201s, warm-up requests included
    }


def ledger_consistent(expected_rows: int) -> tuple[bool, str]:
    """Every level's on_hand equals the sum of its ledger, whose last on_hand_after it is; one
    ledger row per 201."""
    from django.db.models import Count, Max, Sum

    from inventory.models import StockAdjustment, StockLevel

    bad = []
    rows = 0
    ledger = {
        row["level_id"]: row
        for row in StockAdjustment.objects.values("level_id").annotate(
            total=Sum("quantity"), rows=Count("id"), last=Max("id")
        )
    }
    for level in StockLevel.objects.filter(adjustments__isnull=False).distinct():
        entry = ledger[level.pk]
        rows += entry["rows"]
        last_after = StockAdjustment.objects.get(pk=entry["last"]).on_hand_after
        if not level.on_hand == entry["total"] == last_after:
            bad.append(f"level {level.pk}: on_hand {level.on_hand}, ledger sum {entry['total']}")
    if rows != expected_rows:
        bad.append(f"{rows} ledger rows for {expected_rows} answers 201")
    detail = f"{len(ledger)} levels, {rows} ledger rows" if not bad else "; ".join(bad)
    return not bad, detail


def latency(base: str, seeded: dict, requests_per_case: int) -> dict:
    """Sequential GETs, one of each case per round in a shuffled order (so that the workers'
    periodic garbage collection pauses land on every case alike); milliseconds per case."""
    import requests

    cases = [(size, query) for query in LIST_QUERIES for size in seeded["catalogues"]]
    samples = {case: [] for case in cases}
    shuffler = random.Random(0)
    with requests.Session() as session:

        def one(size: int, query: str) -> float:
            headers = {"Authorization": f"Bearer {seeded['catalogues'][size]}"}
            started = time.perf_counter()
            response = session.get(f"{base}/api/v1/products?{query}", headers=headers, timeout=30)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (response.status_code, response.text[:300])
            found = len(response.json()["results"])
            assert found == min(50, LIST_QUERIES[query](size)), (size, query, found)
            return elapsed * 1000

        for case in cases:  # warm-up
            for _ in range(10):
                one(*case)
        for _ in range(requests_per_case):
            shuffler.shuffle(cases)
            for case in cases:
                samples[case].append(one(*case))
    return samples


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=8, help="seconds per phase and round")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds of (a)")
    parser.add_argument("--requests", type=int, default=200, help="timed GETs per case in (b)")
    parser.add_argument("--small", type=int, default=100, help="products in the small catalogue")
    parser.add_argument("--large", type=int, default=10_000, help="products in the large one")
    args = parser.parse_args()

    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        print("This benchmark measures PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    if not os.environ.get("REDIS_URL"):
        print("Set REDIS_URL: rate limits are shared by the server's processes.", file=sys.stderr)
        return 2

    load_before = os.getloadavg()
    database_url = create_bench_database(configured)
    env = server_environment(database_url)
    LOG.parent.mkdir(exist_ok=True)
    server = None
    django_ready = False
    with open(LOG, "w") as log:
        try:
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            os.environ.update(env)
            sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            django_ready = True
            from django.db import connection, connections

            seeded = seed(spread_variants=CLIENTS, small=args.small, large=args.large)
            server_version = connection.cursor().connection.info.server_version // 10000
            connections.close_all()

            port = free_port()
            base = f"http://127.0.0.1:{port}"
            server = subprocess.Popen(
                [str(Path(sys.executable).with_name("gunicorn")), *GUNICORN, f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            wait_until_up(base, seeded["stock_key"], server)

            measured = throughput(base, seeded, args.duration, args.rounds)
            consistent, detail = ledger_consistent(measured["created"])
            connections.close_all()
            samples = latency(base, seeded, args.requests)
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
            if django_ready:
                from django.db import connections

                connections.close_all()
            drop_bench_database(configured)

    rates = measured["rates"]
    print(
        f"Salync inventory benchmark: PostgreSQL {server_version}, gunicorn 4 workers x 2 "
        f"threads, {CLIENTS} clients, {os.cpu_count()} CPUs; load average before "
        f"{load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} (this run included)"
    )
    print(f"\n(a) {args.rounds} rounds x {args.duration:g} s per phase")
    print(f"{'phase':<34} {'requests':>9} {'per second':>11}")
    labels = {
        "index": "GET /api/v1/ (baseline)",
        "spread": f"adjustments, {CLIENTS} variants",
        "hot": "adjustments, 1 hot variant",
    }
    for name, label in labels.items():
        print(f"{label:<34} {measured['counts'][name]:>9} {rates[name]:>11.0f}")
    print(f"hot / spread: {rates['hot'] / rates['spread']:.2f}")
    print(
        f"adjustments / index GETs: spread {rates['spread'] / rates['index']:.2f}, "
        f"hot {rates['hot'] / rates['index']:.2f}"
    )
    errors = {name: found for name, found in measured["errors"].items() if found}
    print(f"non-2xx answers: {errors or 'none'}")
    print(f"ledger check: {'OK' if consistent else 'FAIL'} ({detail})")

    print(f"\n(b) GET /api/v1/products, {args.requests} sequential requests per case, ms")
    print(f"{'query':<22} {'products':>8} {'median':>8} {'p95':>8}")
    summary = {}
    for (size, query), values in samples.items():
        median, p95 = statistics.median(values), percentile(values, 0.95)
        summary[size, query] = (median, p95)
        print(f"{query:<22} {size:>8} {median:>8.1f} {p95:>8.1f}")
    for query in dict.fromkeys(query for _size, query in samples):
        small, large = summary[args.small, query], summary[args.large, query]
        print(
            f"{args.large}/{args.small} {query}: median {large[0] / small[0]:.2f}x, "
            f"p95 {large[1] / small[1]:.2f}x"
        )
    if not consistent or errors:
        print(f"\nServer log: {LOG}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
