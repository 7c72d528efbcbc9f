"""Shared test fixtures for outgoing HTTP: a resolver faked for named hosts only, and a real HTTP
receiver on 127.0.0.1 (registered for every test in tests/conftest.py)."""

import contextlib
import http.server
import socket
import threading
import time

import pytest


class FakeDNS:
    """Answers for the names given; every other name goes to the real resolver.

    ``answers[name]`` is a list of address lists, one per lookup; the last repeats.
    """

    def __init__(self, real):
        self.real = real
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []

    def add(self, name: str, *answers: list[str]) -> None:
        self.answers[name] = list(answers)

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return self.real(host, port, family, type, proto, flags)
        self.lookups.append(name)
        queue = self.answers[name]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        infos = []
        for address in addresses:
            af = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (
                (address, int(port or 0), 0, 0)
                if af == socket.AF_INET6
                else (
                    address,
                    int(port or 0),
                )
            )
            infos.append((af, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
        return infos


@pytest.fixture
def fake_dns(monkeypatch):
    fake = FakeDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


class Receiver:
    def __init__(self, bind: str = "127.0.0.1"):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    getattr(receiver, "route_" + self.path.strip("/").split("?")[0])(self)

        server_class = http.server.ThreadingHTTPServer
        if ":" in bind:
            server_class = type("Server6", (server_class,), {"address_family": socket.AF_INET6})
        self.server = server_class((bind, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        with self.lock:
            return [r["path"] for r in self.requests]

    @staticmethod
    def _answer(handler, status: int, body: bytes = b"", headers: dict | None = None):
        handler.send_response(status)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def route_ok(self, handler):
        self._answer(handler, 200, b'{"received": true}')

    def route_fail(self, handler):
        self._answer(handler, 500, b"boom")

    def route_gone(self, handler):
        self._answer(handler, 410, b"no such hook")

    def route_flaky(self, handler):
        """500 for the first ``flaky_failures`` requests to /flaky, then 200."""
        with self.lock:
            self.flaky_seen = getattr(self, "flaky_seen", 0) + 1
            failing = self.flaky_seen <= getattr(self, "flaky_failures", 2)
        self._answer(handler, 500 if failing else 200, b"boom" if failing else b"ok")

    def route_redirect(self, handler):
        self._answer(handler, 302, b"", {"Location": self.url("/ok")})

    def route_slow(self, handler):
        time.sleep(2)
        self._answer(handler, 200, b"late")

    def route_drip(self, handler):
        # Headers one byte at a time: each read is quick, the whole answer is not.
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 60:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.05)

    def route_huge(self, handler):
        chunk = b"x" * 65536
        size = 64 * 1024 * 1024
        handler.send_response(200)
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        for _ in range(size // len(chunk)):
            handler.wfile.write(chunk)

    def hold(self, count: int = 1) -> threading.Event:
        """Make the first ``count`` requests to /hold wait, unanswered, until the returned
        event is set (or 30 s pass); later ones are answered at once."""
        self.hold_count = count
        self.hold_release = threading.Event()
        return self.hold_release

    def route_hold(self, handler):
        """200, after ``hold()``'s event for the first requests; ``hold_answered`` counts the
        answers written to a client still connected."""
        with self.lock:
            self.hold_seen = getattr(self, "hold_seen", 0) + 1
            waits = self.hold_seen <= getattr(self, "hold_count", 0)
        if waits:
            self.hold_release.wait(30)
        self._answer(handler, 200, b"ok")
        handler.wfile.flush()
        with self.lock:
            self.hold_answered = getattr(self, "hold_answered", 0) + 1

    def requests_to(self, path: str) -> list[dict]:
        """The requests received on ``path`` (query string included), in order."""
        with self.lock:
            return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def receiver():
    yield from _serve(Receiver())


@pytest.fixture
def receiver6():
    try:
        server = Receiver("::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    yield from _serve(server)


def _serve(server):
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
