"""bench/results.md (for people) and bench/results.json (for scripts): every figure with its
baseline from the same run, the ratio, and the SPEC's target, met or missed."""

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench import load, webhooks

ROOT = Path(__file__).resolve().parent.parent

# SPEC §6 names (contract), in the order they are reported, with what each compares.
DESCRIPTIONS = {
    "front_door_get": "authenticated, rate-limited `GET products/{id}` vs a bare Django view "
    "returning the same JSON bytes (throughput, higher is better)",
    "product_list_100": "`GET products?limit=100` (products with variants and stock) vs a "
    "plain view returning 100 rows of one table (variants) as JSON (throughput)",
    "purchase_order_list_100": "`GET purchase-orders?limit=100` (orders with their lines) vs "
    "the same plain 100-row view (throughput)",
    "listing_list_100": "`GET listings?limit=100` (channel listings with `available`) vs the "
    "same plain 100-row view (throughput)",
    "product_list_growth": "p50 latency of `products?limit=100` at the large catalogue vs "
    "the small one (ratio large/small, lower is better)",
    "stock_list_growth": "p50 latency of `stock?limit=100`, large vs small catalogue",
    "search_growth": "p50 latency of a `q=` search matching one product, large vs small",
    "adjust_spread": "`POST stock/adjustments` per second, spread over many variants, vs a "
    "bare Django view running the same transaction in raw SQL (lock, update, ledger row)",
    "adjust_hot": "the same on one variant: every adjustment waits for the same row lock",
    "raw_update": "for scale: the app's spread adjustments/s vs a raw SQL UPDATE loop "
    "(pgbench, one UPDATE per transaction), the database's own limit",
    "lost_updates": "adjustments lost or miscounted after the adjustment runs (must be 0) "
    "out of the ledger rows written (baseline)",
    "worker_rss": "peak RSS (VmHWM) of a web worker after the list runs vs a bare Django "
    "worker (same settings, only the bare URLconf) (lower is better)",
    "webhook_latency_p99": f"p99 ms from a stock adjustment's commit (its 201 back) to the "
    f"receiver having its `stock.adjusted` delivery, at a steady {webhooks.RATE} events/s "
    "(API, outbox, Celery worker, HTTP receiver on 127.0.0.1) vs the p99 of a bare round trip: "
    "a delivery's bytes POSTed straight to the same receiver at the same pace; target on the "
    "value: p99 under 1 s",
    "webhook_throughput": "events/s from the first request to the last delivery received when "
    f"adjustments are pushed as fast as {webhooks.CLIENTS} clients can, vs the rate the API "
    "committed them (ratio near 1: delivery keeps up with the writes)",
}
# (comparison, threshold) on the ratio, or on the value for those in ON_VALUE (SPEC §6,
# issues 8 and 10).
TARGETS = {
    "front_door_get": (">=", 0.5),
    "product_list_100": (">=", 0.3),
    "product_list_growth": ("<=", 1.5),
    "stock_list_growth": ("<=", 1.5),
    "search_growth": ("<=", 1.5),
    "adjust_spread": (">=", 0.5),
    "lost_updates": ("==", 0),
    "worker_rss": ("<=", 1.5),
    "webhook_latency_p99": ("<=", 1000),
}
# Targets on the value rather than the ratio, with the value's unit as shown beside them.
ON_VALUE = {"lost_updates": "", "webhook_latency_p99": " ms"}


def met(name: str, entry: dict) -> bool | None:
    if name not in TARGETS:
        return None
    comparison, threshold = TARGETS[name]
    figure = entry["value"] if name in ON_VALUE else entry["ratio"]
    return {
        ">=": figure >= threshold,
        "<=": figure <= threshold,
        "==": figure == threshold,
    }[comparison]


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_start() -> dict:
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain"))
    return {
        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": f"{commit} (with uncommitted changes)" if dirty else commit,
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "wrk": load.version(["wrk", "--version"]).split(" Copyright")[0],
        "pgbench": load.version(["pgbench", "--version"]),
    }


def machine_end(database_url: str, redis_url: str) -> dict:
    import django
    import gunicorn
    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    connection.close()
    client = redis.Redis.from_url(redis_url)
    redis_version = client.info("server")["redis_version"]
    client.close()
    return {
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "postgresql": postgres,
        "redis": redis_version,
    }


def _number(value) -> str:
    if abs(value) >= 100 or isinstance(value, int):
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def _target(name: str, entry: dict) -> str:
    if name not in TARGETS:
        return "—"
    comparison, threshold = TARGETS[name]
    sign = {">=": "≥", "<=": "≤", "==": "="}[comparison]
    shown = f"{sign} {threshold}{ON_VALUE.get(name, '')}"
    return f"{shown}: **{'met' if met(name, entry) else 'missed'}**"


def write(folder: Path, results: dict, machine: dict, run: dict) -> None:
    profile = run["profile"]
    ordered = {name: results[name] for name in DESCRIPTIONS if name in results}
    for name, entry in ordered.items():
        entry["what"] = DESCRIPTIONS[name]
        if name in TARGETS:
            comparison, threshold = TARGETS[name]
            entry["target"] = f"{comparison} {threshold}{ON_VALUE.get(name, '')}"
            entry["met"] = met(name, entry)
    (folder / "results.json").write_text(json.dumps(ordered, indent=2) + "\n")

    m = machine
    data = "seeded the database" if run["seeded"] else "data reused"
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{run['command']}` — {m['started_at']}, commit {m['commit']}, "
        f"{run['seconds']:.0f} s in all ({data}).",
        "",
        "## Machine",
        "",
        f"- {m['cpus']} CPUs: {m['cpu_model']}",
        f"- Load average (1, 5, 15 min) at start {m['load_average_start']}, "
        f"at end {m['load_average_end']}",
        f"- Python {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']}, "
        f"PostgreSQL {m['postgresql']}, Redis {m['redis']}, {m['wrk']}, {m['pgbench']}",
        "",
        "## How",
        "",
        f"- gunicorn `salync.wsgi:application` with gunicorn.conf.py, {load.WORKERS} sync "
        "workers, serving the app and the baselines (bench/views.py) with the same settings: "
        "`salync.settings.production` (DEBUG off) via bench/settings.py, behind a "
        "TLS-terminating proxy as in production (`SALYNC_TRUST_X_FORWARDED_PROTO=1`, wrk sends "
        "`X-Forwarded-Proto: https`).",
        f"- PostgreSQL database `{profile.database}` (persistent connections), Redis "
        f"`{run['redis']}` with key prefix `{profile.cache_prefix}`; API keys on a Pro plan "
        "with daily and burst limits of 10⁹.",
        f"- wrk, {load.THREADS} threads and {load.CONNECTIONS} connections (latency: 1 "
        f"connection), {profile.seconds:g} s per run, {profile.rounds} interleaved rounds "
        f"(A B A B …) after a {profile.warmup:g} s warm-up each; medians. Raw UPDATEs: pgbench, "
        f"{load.CONNECTIONS} clients.",
        f"- Catalogues: {profile.small:,} and {profile.large:,} products of 2 variants, each "
        f"stocked in one location; adjustments spread over {profile.adjust:,} variants.",
        f"- Webhooks: `celery -A salync worker` (prefork, {webhooks.CONCURRENCY} processes) and "
        "an HTTP receiver on 127.0.0.1 in the harness, answering 204; adjustments in a fourth "
        f"workspace whose one endpoint wants `stock.adjusted`: {profile.webhook_seconds:g} s at "
        f"{webhooks.RATE} events/s, then {profile.webhook_burst:,} events from "
        f"{webhooks.CLIENTS} clients; one round each, every event received and its signature "
        "checked.",
        "",
        "## Figures",
        "",
        "| name | Salync | baseline | ratio | unit | target |",
        "|---|---:|---:|---:|---|---|",
    ]
    for name, entry in ordered.items():
        lines.append(
            f"| `{name}` | {_number(entry['value'])} | {_number(entry['baseline'])} | "
            f"{entry['ratio']:.3f} | {entry['unit']} | {_target(name, entry)} |"
        )
    lines += ["", "## What each compares", ""]
    lines += [f"- `{name}`: {DESCRIPTIONS[name]}." for name in ordered]
    lines += ["", "## Rounds", "", "| name | round | Salync | baseline |", "|---|---:|---:|---:|"]
    for name, entry in ordered.items():
        for index, figure in enumerate(entry["rounds"], 1):
            lines.append(
                f"| `{name}` | {index} | {_number(figure['value'])} | "
                f"{_number(figure['baseline'])} |"
            )
    lines += ["", f"`lost_updates`: {results['lost_updates']['detail']}."]
    if "webhook_latency_p99" in results:
        w = results["webhook_latency_p99"]
        lines += [
            "",
            f"`webhook_latency_p99`: {w['events']} events sent at {w['rate']:.1f}/s, answered "
            f"at {w['committed_rate']:.1f}/s; from commit "
            f"p50 {w['p50']:.1f} ms, p90 {w['p90']:.1f} ms, p99 {w['value']:.1f} ms, max "
            f"{w['max']:.1f} ms; p99 from the request's start {w['p99_from_request']:.1f} ms; "
            f"bare round trip p50 {w['baseline_p50']:.2f} ms; {w['duplicates']} delivered twice.",
        ]
    lines.append("")
    (folder / "results.md").write_text("\n".join(lines))


def summary(results: dict) -> str:
    rows = []
    for name in DESCRIPTIONS:
        if name not in results:
            continue
        entry = results[name]
        verdict = {True: "met", False: "MISSED", None: ""}[met(name, entry)]
        rows.append(
            f"  {name:<20} {_number(entry['value']):>10} vs {_number(entry['baseline']):>10}"
            f"  ratio {entry['ratio']:.3f}  {entry['unit']:<28} {verdict}"
        )
    return "\n".join(rows)
