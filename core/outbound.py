"""The one outgoing HTTP client: webhook deliveries (SPEC §5.5) and live channels (§5.4).

``request`` (and ``post``) checks the URL again at send (``url_check``), connects only to the
checked addresses (no second DNS lookup, so rebinding cannot switch the target), verifies TLS
against the host name (SNI and certificate), never follows redirects, bounds the connect time,
each read and the whole exchange, reads at most ``max_bytes`` of the answer, and reports every
network failure as a ``Result`` in plain words rather than raising.

Built on the standard library's ``http.client`` rather than ``requests``: nothing from the
environment (proxies, ``.netrc`` credentials, CA overrides) can change where or how we send.
"""

import contextlib
import dataclasses
import http.client
import logging
import socket
import ssl
import threading
import time

import certifi

from core.urls_check import CheckedURL, UnsafeURL, policy_from_settings, url_check

__all__ = [
    "CheckedURL", "Result", "UnsafeURL", "policy_from_settings", "post", "request", "url_check",
]  # fmt: skip

logger = logging.getLogger(__name__)

EXCERPT_BYTES = 1024
DEFAULT_TIMEOUT = (5.0, 10.0)  # (connect, read) seconds
USER_AGENT = "Salync-Webhooks/1"


@dataclasses.dataclass(frozen=True)
class Result:
    ok: bool  # a 2xx answer
    status_code: int | None  # None when no answer came
    duration_ms: int
    excerpt: str = ""  # at most max_bytes of the answer's body, decoded leniently
    error: str = ""  # plain words for the delivery log; "" on success
    address: str = ""  # the address we connected to, if any
    truncated: bool = False  # the body went on beyond max_bytes


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _ssl_context() -> ssl.SSLContext:
    """Certificate and host name verification against certifi's CA bundle."""
    return ssl.create_default_context(cafile=certifi.where())


def _open_socket(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly ``address`` (an IP literal: no name resolution here)."""
    return socket.create_connection((address, port), timeout=timeout)


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to a checked IP address, with TLS verified against the URL's host
    name; the connect timeout covers TCP and the TLS handshake, then reads get their own."""

    def __init__(self, checked: CheckedURL, address: str, connect: float, read: float):
        super().__init__(address, checked.port, timeout=connect)
        self._checked = checked
        self._address = address
        self._read_timeout = read

    def connect(self):
        sock = _open_socket(self._address, self._checked.port, self.timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._checked.scheme == "https":
                sock = _ssl_context().wrap_socket(sock, server_hostname=self._checked.host)
            sock.settimeout(self._read_timeout)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class _Deadline:
    """Shuts the connection's socket when the whole exchange outlasts ``seconds``: a server
    that answers one byte at a time cannot hold a worker beyond it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._conn: _PinnedConnection | None = None
        self._lock = threading.Lock()
        self._started = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, conn: _PinnedConnection) -> None:
        with self._lock:
            self._conn = conn
            if not self._started:
                self._started = True
                self._timer.start()

    def forget(self) -> None:
        """Stop watching the current connection (before closing it, so the timer never
        touches a socket being closed)."""
        with self._lock:
            self._conn = None

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sock = self._conn.sock if self._conn is not None else None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _failure_text(exc: BaseException, *, phase: str, connect: float, read: float) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        if phase == "connect":
            return f"connection timed out after {_seconds(connect)}"
        return f"your server did not answer within {_seconds(read)}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the TLS certificate could not be verified: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return f"the TLS handshake failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "your server refused the connection"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "your server closed the connection without answering"
    if isinstance(exc, http.client.HTTPException):
        return "your server's answer was not valid HTTP"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "your server reset the connection"
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or exc.__class__.__name__}"
    return f"the request could not be sent: {exc.__class__.__name__}"


def post(url: str, *, body: bytes, headers: dict[str, str], **options) -> Result:
    """POST ``body`` to ``url`` (a webhook delivery); see :func:`request`."""
    return request("POST", url, body=body, headers=headers, **options)


def request(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: dict[str, str],
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    allow_private: bool,
    require_https: bool | None = None,
    deadline: float | None = None,
    max_bytes: int = EXCERPT_BYTES,
    user_agent: str = USER_AGENT,
) -> Result:
    """Send ``method`` with ``body`` to ``url``; never raises for a refused URL or a network
    failure.

    ``timeout`` is (connect, read) in seconds, read applying to each wait for data; ``deadline``
    bounds the whole exchange (default: connect + read). At most ``max_bytes`` of the answer
    are read (``Result.truncated`` says there was more).
    """
    connect_timeout, read_timeout = timeout
    started = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        checked = url_check(url, allow_private=allow_private, require_https=require_https)
    except UnsafeURL as exc:
        logger.info("outgoing %s refused: %s", method, exc.message)
        return Result(ok=False, status_code=None, duration_ms=elapsed_ms(), error=exc.message)

    request_headers = {
        "User-Agent": user_agent,
        **{k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")},
        "Host": checked.host_header,
        "Content-Length": str(len(body)),
        "Connection": "close",
    }
    limit = deadline if deadline is not None else connect_timeout + read_timeout
    watchdog = _Deadline(limit)
    error = ""
    address = ""
    try:
        for address in checked.addresses:
            if watchdog.expired:
                break
            conn = _PinnedConnection(checked, address, connect_timeout, read_timeout)
            watchdog.watch(conn)
            phase = "connect"
            try:
                conn.connect()
                phase = "send"
                conn.request(method, checked.target, body=body, headers=request_headers)
                phase = "read"
                response = conn.getresponse()
                content = response.read(max_bytes + 1)
                truncated = len(content) > max_bytes
                excerpt = content[:max_bytes].decode("utf-8", errors="replace")
                status = response.status
            except (OSError, http.client.HTTPException, ValueError) as exc:
                if watchdog.expired:
                    error = f"your server did not finish answering within {_seconds(limit)}"
                    break
                error = _failure_text(exc, phase=phase, connect=connect_timeout, read=read_timeout)
                if phase == "connect" and not isinstance(exc, ssl.SSLError):
                    continue  # the next checked address, if any
                break
            finally:
                watchdog.forget()
                conn.close()
            if 200 <= status < 300:
                return Result(True, status, elapsed_ms(), excerpt, "", address, truncated)
            if 300 <= status < 400:
                error = f"your server answered {status}, a redirect (redirects are not followed)"
            else:
                error = f"your server answered {status}"
            return Result(False, status, elapsed_ms(), excerpt, error, address, truncated)
    finally:
        watchdog.cancel()
    if watchdog.expired and not error:
        error = f"your server did not finish answering within {_seconds(limit)}"
    return Result(False, None, elapsed_ms(), "", error, address)
