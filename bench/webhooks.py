"""``webhook_latency_p99`` and ``webhook_throughput`` (SPEC §6): stock adjustments POSTed to
the app's gunicorn (the real write path: commit, outbox, fan-out), delivered by a real Celery
worker process (``celery -A salync worker``, its own process group) to a real HTTP receiver on
127.0.0.1 in this process. Latency is from the moment the adjustment's 201 came back (after its
commit) to the moment the receiver had the delivery's whole POST, matched by the ledger entry's
id (the answer's ``adjustment.id``, the payload's ``data.object.id``). Every event must arrive,
signed with the endpoint's secret, or the run is broken.

Generator, receiver and their clocks (``time.perf_counter``) share this process; the server
and the worker have their own.
"""

import contextlib
import http.client
import http.server
import json
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.load import FORWARDED, BrokenRun, Server

ROOT = Path(__file__).resolve().parent.parent
RATE = 50  # events per second, steady (SPEC §6)
IN_FLIGHT = 32  # paced requests that may wait for their answers at once
CLIENTS = 8  # burst clients, as wrk's connections
WARMUP = 20  # events sent and received before measuring: the worker is up, the path is warm
WORKER_START = 60  # seconds the first delivery may wait for the worker to come up
RECEIPT_WAIT = 60  # seconds after the last answer for the last delivery to arrive
CONCURRENCY = 2  # worker processes: one per core of this 2-core machine kind
PATH = "/api/v1/stock/adjustments"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value at or above ``fraction`` of them."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Receiver:
    """A threaded HTTP server on a free 127.0.0.1 port answering every POST with 204, noting
    when each arrived (whole body read) with its headers and body."""

    def __init__(self):
        self.arrivals: list[tuple[float, dict, bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                arrived = time.perf_counter()
                with receiver.lock:
                    receiver.arrivals.append((arrived, dict(self.headers), body))
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(204)
                    self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/bench"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def take(self) -> list[tuple[float, dict, bytes]]:
        """The arrivals so far, forgotten here."""
        with self.lock:
            taken, self.arrivals = self.arrivals, []
        return taken

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def key_of(body: bytes):
    """What a delivery is matched by: its payload's ``data.object.id``."""
    return json.loads(body)["data"]["object"]["id"]


class Worker:
    """``celery -A salync worker`` (prefork, ``CONCURRENCY`` processes) in its own process
    group, logging to ``log``."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log = log
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "--app=salync",
                "worker",
                "--pool=prefork",
                f"--concurrency={CONCURRENCY}",
                "--loglevel=warning",
                # One worker: nobody to synchronise with, and a faster start.
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def check(self) -> None:
        if self.process.poll() is not None:
            raise BrokenRun(f"the Celery worker exited with {self.process.returncode}: {self.log}")

    def stop(self) -> None:
        """TERM to the main process (a warm shutdown: the tasks running finish, so the last
        deliveries are recorded), then KILL to its whole group if it is still there after 30 s
        (while it lives, the group's id is still ours)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


@dataclass(frozen=True)
class Sent:
    key: object  # what the delivery is matched by
    sent_at: float
    answered_at: float  # the answer is back: the change is committed


def _post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """One POST to 127.0.0.1 on a connection of its own (sync gunicorn workers close theirs)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _rate(moments: list[float]) -> float:
    """Events per second over the span of ``moments``."""
    return (len(moments) - 1) / (max(moments) - min(moments))


def paced(send, *, count: int, rate: float = RATE) -> list[Sent]:
    """``send(i)`` for i in range(count), started at ``i / rate`` s from the start whatever the
    answers before it are doing (open loop: a slow server does not slow the arrivals)."""
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        start = time.perf_counter()
        futures = []
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(send, i))
        return [future.result() for future in futures]


def burst(send, *, count: int) -> list[Sent]:
    """``send(i)`` for i in range(count) from ``CLIENTS`` threads, each as fast as it can."""

    def lane(first: int) -> list[Sent]:
        return [send(i) for i in range(first, count, CLIENTS)]

    with ThreadPoolExecutor(CLIENTS) as pool:
        lanes = [pool.submit(lane, first) for first in range(CLIENTS)]
        return [sent for future in lanes for sent in future.result()]


class Run:
    """The endpoint, the receiver, the worker, and the runs against one app server."""

    def __init__(self, server: Server, key: str, skus: tuple[str, ...], receiver: Receiver):
        self.server = server
        self.key = key
        self.skus = skus
        self.receiver = receiver
        self.worker: Worker | None = None
        self.secret = ""  # the endpoint's, to check each delivery's signature
        self.duplicates = 0

    def adjust(self, _i: int) -> Sent:
        """A +1 adjustment on a SKU drawn among the workspace's: one stock.adjusted event."""
        sku = random.choice(self.skus)
        body = json.dumps({"sku": sku, "quantity": 1, "reason": "received"}).encode()
        headers = {
            **FORWARDED,
            "Authorization": f"Bearer {self.key}",
            "Content-Type": "application/json",
        }
        sent_at = time.perf_counter()
        status, answer = _post(self.server.port, PATH, body, headers)
        answered_at = time.perf_counter()
        if status != 201:
            raise BrokenRun(f"POST {PATH} answered {status}: {answer[:300]!r}")
        return Sent(json.loads(answer)["adjustment"]["id"], sent_at, answered_at)

    def receive(self, sent: list[Sent], *, timeout: float, verify: bool = True) -> dict:
        """Wait until every one of ``sent`` has arrived: key → (first arrival, body). Checks
        each delivery's signature; counts repeats (at-least-once allows them; reported)."""
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError

        wanted = {s.key for s in sent}
        if len(wanted) != len(sent):
            raise BrokenRun("two answers named the same ledger entry")
        arrived: dict = {}
        deadline = time.monotonic() + timeout
        signer = Webhook(self.secret) if verify else None
        while True:
            for when, headers, body in self.receiver.take():
                key = key_of(body)
                if key not in wanted:
                    continue  # an earlier run's, repeated after that run had them all
                if signer is not None:
                    try:
                        signer.verify(body, headers)
                    except WebhookVerificationError as error:
                        raise BrokenRun(f"delivery of {key}: bad signature ({error})") from None
                if key in arrived:
                    self.duplicates += 1
                else:
                    arrived[key] = (when, body)
            if len(arrived) == len(wanted):
                return arrived
            self.worker.check()
            if time.monotonic() > deadline:
                raise BrokenRun(
                    f"webhooks: {len(wanted) - len(arrived)} of {len(wanted)} events never "
                    f"arrived within {timeout:.0f} s: see {self.worker.log}"
                )
            time.sleep(0.02)

    def bare(self, count: int, template: bytes) -> list[float]:
        """The same receiver POSTed to directly at the same pace with a delivery's bytes: ms
        from the request's start to its arrival."""
        payload = json.loads(template)

        def send(i: int) -> Sent:
            obj = dict(payload["data"]["object"], id=f"bare-{i}")
            body = json.dumps(dict(payload, data={"object": obj}), separators=(",", ":")).encode()
            headers = {"Content-Type": "application/json", "Connection": "close"}
            sent_at = time.perf_counter()
            status, _ = _post(self.receiver.port, "/bench", body, headers)
            if status != 204:
                raise BrokenRun(f"the receiver answered {status}")
            return Sent(f"bare-{i}", sent_at, sent_at)

        sent = paced(send, count=count)
        arrived = self.receive(sent, timeout=10, verify=False)
        return [(arrived[s.key][0] - s.sent_at) * 1000 for s in sent]


def _endpoint(workspace_id: int, url: str):
    """The workspace's one endpoint, at ``url``, for stock.adjusted (previous runs' deleted)."""
    from accounts.models import Workspace
    from core import events
    from webhooks.models import Endpoint
    from webhooks.services import endpoint_create, endpoint_delete

    workspace = Workspace.objects.get(pk=workspace_id)
    for old in Endpoint.objects.filter(workspace=workspace):
        endpoint_delete(endpoint=old)
    return endpoint_create(
        workspace=workspace,
        url=url,
        event_types=[events.STOCK_ADJUSTED],
        description="make bench: the receiver in the harness",
    )


def measure(
    server: Server,
    *,
    env: dict[str, str],
    var: Path,
    workspace_id: int,
    key: str,
    skus: tuple[str, ...],
    seconds: float,
    burst_events: int,
) -> dict[str, dict]:
    """Both figures, with the worker up only for them: ``seconds`` at RATE events/s (and a
    third of that for the bare round trip), then ``burst_events`` as fast as possible."""
    from django.db import connections

    from webhooks.services import endpoint_delete

    receiver = Receiver()
    run = Run(server, key, skus, receiver)
    endpoint = None
    try:
        endpoint = _endpoint(workspace_id, receiver.url)
        run.secret = endpoint.secret
        run.worker = Worker(env, var / "celery-worker.log")
        connections.close_all()  # nothing of this process's holds the database while measuring
        first = run.adjust(0)
        [(_when, template)] = run.receive([first], timeout=WORKER_START).values()
        run.receive(paced(run.adjust, count=WARMUP), timeout=RECEIPT_WAIT)

        sent = paced(run.adjust, count=round(seconds * RATE))
        received = run.receive(sent, timeout=RECEIPT_WAIT)
        arrived = {entry: when for entry, (when, _body) in received.items()}
        after_commit = [(arrived[s.key] - s.answered_at) * 1000 for s in sent]
        after_request = [(arrived[s.key] - s.sent_at) * 1000 for s in sent]
        achieved = _rate([s.sent_at for s in sent])
        committed = _rate([s.answered_at for s in sent])
        # The floor: a delivery's bytes POSTed straight to the same receiver at the same pace.
        bare = run.bare(max(RATE, round(seconds * RATE / 3)), template)

        pushed = burst(run.adjust, count=burst_events)
        landed = run.receive(pushed, timeout=RECEIPT_WAIT)
        began = min(s.sent_at for s in pushed)
        delivered_rate = len(pushed) / (max(when for when, _body in landed.values()) - began)
        committed_rate = len(pushed) / (max(s.answered_at for s in pushed) - began)
    finally:
        if run.worker is not None:
            run.worker.stop()
        receiver.stop()
        if endpoint is not None:
            endpoint_delete(endpoint=endpoint)
        connections.close_all()

    value, baseline = percentile(after_commit, 0.99), percentile(bare, 0.99)
    return {
        "webhook_latency_p99": {
            "value": round(value, 3),
            "baseline": round(baseline, 3),
            "ratio": round(value / baseline, 4),
            "unit": "ms (p99)",
            "rounds": [{"value": round(value, 3), "baseline": round(baseline, 3)}],
            "p50": round(percentile(after_commit, 0.5), 3),
            "p90": round(percentile(after_commit, 0.9), 3),
            "max": round(max(after_commit), 3),
            "p99_from_request": round(percentile(after_request, 0.99), 3),
            "baseline_p50": round(percentile(bare, 0.5), 3),
            "events": len(sent),
            "rate": round(achieved, 2),
            "committed_rate": round(committed, 2),
            "duplicates": run.duplicates,
        },
        "webhook_throughput": {
            "value": round(delivered_rate, 3),
            "baseline": round(committed_rate, 3),
            "ratio": round(delivered_rate / committed_rate, 4),
            "unit": "events/s",
            "rounds": [{"value": round(delivered_rate, 3), "baseline": round(committed_rate, 3)}],
            "events": len(pushed),
            "clients": CLIENTS,
            "worker_processes": CONCURRENCY,
        },
    }
