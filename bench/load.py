"""The processes of a run: a gunicorn on a free loopback port, and the load generators (wrk
and pgbench), each in its own process, bounded in time."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = Path(__file__).resolve().parent / "wrk"
RAW_UPDATE_SQL = Path(__file__).resolve().parent / "pgbench" / "raw_update.sql"
WORKERS = 2  # sync workers: one per core of this 2-core machine kind
THREADS, CONNECTIONS = 2, 8  # wrk, for throughput
FORWARDED = {"X-Forwarded-Proto": "https"}  # as from a TLS-terminating proxy


class BrokenRun(RuntimeError):
    """A run that did not measure what it says: a failed request, an error, no requests."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``gunicorn salync.wsgi:application`` with the repository's gunicorn.conf.py and
    ``WORKERS`` sync workers, on a free loopback port, logging to ``log``."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "salync.wsgi:application",
                "--config=gunicorn.conf.py",
                f"--workers={WORKERS}",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrokenRun(f"gunicorn exited with {self.process.returncode}: see {self.log}")
            try:
                if self.get("/_bench/ping")[0] == 200 and len(self.workers()) == WORKERS:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BrokenRun(f"gunicorn did not answer within {timeout:.0f} s: see {self.log}")

    def get(self, path: str, key: str = "", method: str = "GET", body: bytes | None = None):
        """One request, as wrk sends it: (status, body)."""
        headers = dict(FORWARDED, **({"Authorization": f"Bearer {key}"} if key else {}))
        if body is not None:
            headers["Content-Type"] = "application/json"
        url = self.base + path  # http://127.0.0.1:<port>: loopback only
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def workers(self) -> list[int]:
        """The worker processes' ids: the master's children."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", status, re.MULTILINE):
                children.append(int(entry.name))
        return children

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of the workers, in MB (10**6 bytes)."""
        peaks = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"^VmHWM:\s+(\d+) kB$", status, re.MULTILINE)[1]))
        if not peaks:
            raise BrokenRun("no gunicorn worker to measure")
        return max(peaks) * 1024 / 10**6

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@dataclass
class WrkResult:
    """One wrk run's figures, read from the line bench/wrk/common.lua prints."""

    requests: int
    seconds: float
    statuses: dict[int, int]
    errors: dict[str, int]
    latency_ms: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def wrk(
    url: str,
    *,
    seconds: float,
    script: str = "get.lua",
    env: dict[str, str],
    expect: int = 200,
    connections: int = CONNECTIONS,
) -> WrkResult:
    """Run wrk against ``url`` (loopback only) for ``seconds``; a failed request breaks it."""
    assert url.startswith("http://127.0.0.1:"), url
    threads = min(THREADS, connections)
    completed = subprocess.run(
        [
            "wrk",
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={max(1, round(seconds))}s",
            "--timeout=10s",
            f"--script={WRK_DIR / script}",
            url,
        ],
        env={**os.environ, **env, "BENCH_WRK_DIR": str(WRK_DIR)},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    line = next(
        (ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH_RESULT ")), None
    )
    if completed.returncode != 0 or line is None:
        raise BrokenRun(f"wrk {url} failed: {completed.stdout}{completed.stderr}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    result = WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 10**6,
        statuses={int(status): count for status, count in data["statuses"].items()},
        errors=data["errors"],
        latency_ms={name: value / 1000 for name, value in data["latency_us"].items()},
    )
    unexpected = {s: n for s, n in result.statuses.items() if s != expect}
    failed = {name: n for name, n in result.errors.items() if n and name != "read"}
    if not result.requests or unexpected or failed:
        raise BrokenRun(
            f"wrk {url}: {result.requests} requests, answers {result.statuses} "
            f"(expected only {expect}), errors {result.errors}"
        )
    return result


def pgbench(database_url: str, *, seconds: float, rows: int) -> float:
    """Transactions per second of the raw UPDATE loop, ``CONNECTIONS`` clients."""
    from urllib.parse import urlsplit

    parts = urlsplit(database_url)
    completed = subprocess.run(
        [
            "pgbench",
            "--no-vacuum",
            f"--host={parts.hostname}",
            f"--port={parts.port or 5432}",
            f"--username={parts.username or 'postgres'}",
            f"--client={CONNECTIONS}",
            f"--jobs={THREADS}",
            f"--time={max(1, round(seconds))}",
            f"--define=rows={rows}",
            f"--file={RAW_UPDATE_SQL}",
            parts.path.lstrip("/"),
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    found = re.search(r"^tps = ([\d.]+)", completed.stdout, re.MULTILINE)
    if completed.returncode != 0 or found is None:
        raise BrokenRun(f"pgbench failed: {completed.stdout}{completed.stderr}")
    return float(found[1])


def version(command: list[str]) -> str:
    """The first line a tool prints of its version (wrk prints it with its usage)."""
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except OSError:
        return "not found"
    return (completed.stdout or completed.stderr).strip().splitlines()[0]
