"""The outgoing client: refusals at send, pinning against DNS rebinding, and a real receiver
on 127.0.0.1 (allow_private=True) for success, errors, redirects, timeouts and huge bodies."""

import socket
import time

import pytest

from core import outbound
from core.outbound import EXCERPT_BYTES, post
from tests.core.unsafe_urls import REFUSED

BODY = b'{"id": "evt_1", "type": "webhook.test"}'
HEADERS = {"Content-Type": "application/json", "webhook-id": "evt_1"}


@pytest.fixture
def no_connections(monkeypatch):
    """Records every connection attempt and makes none: a refused URL must never get here."""
    attempts: list[tuple[str, int]] = []

    def refuse(address, port, timeout):
        attempts.append((address, port))
        raise ConnectionRefusedError

    monkeypatch.setattr(outbound, "_open_socket", refuse)
    return attempts


@pytest.mark.parametrize(("url", "says"), REFUSED)
def test_refused_at_send(no_connections, url, says):
    result = post(url, body=BODY, headers=HEADERS, allow_private=False)
    assert not result.ok
    assert result.status_code is None
    assert says in result.error
    assert no_connections == []


def test_name_resolving_to_private_refused_at_send(fake_dns, no_connections):
    fake_dns.add("internal.example.com", ["10.0.0.1"])
    result = post("https://internal.example.com/", body=BODY, headers=HEADERS, allow_private=False)
    assert result.error.startswith("refused: the address 10.0.0.1 is private")
    assert no_connections == []


def test_check_at_send_catches_a_name_that_turned_private(fake_dns, no_connections):
    """Accepted at save (public), private by the time of the send: refused then."""
    fake_dns.add("hooks.example.com", ["93.184.216.34"], ["10.0.0.1"])
    outbound.url_check("https://hooks.example.com/", allow_private=False)
    result = post("https://hooks.example.com/", body=BODY, headers=HEADERS, allow_private=False)
    assert "10.0.0.1 is private" in result.error
    assert no_connections == []


def test_dns_rebinding_cannot_switch_the_connection(fake_dns, no_connections):
    """Public at the check, private on any later lookup: the connection goes to the checked
    public address and no second lookup happens."""
    fake_dns.add("rebind.example.com", ["93.184.216.34"], ["127.0.0.1"])
    result = post("https://rebind.example.com/", body=BODY, headers=HEADERS, allow_private=False)
    assert no_connections == [("93.184.216.34", 443)]
    assert fake_dns.lookups == ["rebind.example.com"]
    assert result.error == "your server refused the connection"


def test_dns_rebinding_on_a_real_socket(fake_dns, receiver):
    """The receiver listens on 127.0.0.1 only; a second lookup would answer 127.0.0.2, where
    nothing listens. The delivery arrives, so the connection used the checked address."""
    fake_dns.add("receiver.test", ["127.0.0.1"], ["127.0.0.2"])
    result = post(
        receiver.url("/ok", host="receiver.test"), body=BODY, headers=HEADERS, allow_private=True
    )
    assert result.ok, result.error
    assert result.address == "127.0.0.1"
    assert receiver.requests[0]["headers"]["Host"] == f"receiver.test:{receiver.port}"
    assert fake_dns.lookups == ["receiver.test"]


def test_2xx_succeeds(receiver):
    result = post(receiver.url("/ok"), body=BODY, headers=HEADERS, allow_private=True)
    assert result.ok
    assert result.status_code == 200
    assert result.error == ""
    assert result.excerpt == '{"received": true}'
    assert result.duration_ms >= 0
    (request,) = receiver.requests
    assert request["body"] == BODY
    assert request["headers"]["webhook-id"] == "evt_1"
    assert request["headers"]["Content-Type"] == "application/json"


def test_caller_cannot_override_host_or_length(receiver):
    headers = {**HEADERS, "Host": "evil.example", "Content-Length": "1"}
    result = post(receiver.url("/ok"), body=BODY, headers=headers, allow_private=True)
    assert result.ok
    request = receiver.requests[0]
    assert request["headers"]["Host"] == f"127.0.0.1:{receiver.port}"
    assert request["body"] == BODY


def test_500_is_reported(receiver):
    result = post(receiver.url("/fail"), body=BODY, headers=HEADERS, allow_private=True)
    assert not result.ok
    assert result.status_code == 500
    assert result.error == "your server answered 500"
    assert result.excerpt == "boom"


def test_redirect_is_not_followed(receiver):
    result = post(receiver.url("/redirect"), body=BODY, headers=HEADERS, allow_private=True)
    assert not result.ok
    assert result.status_code == 302
    assert "redirects are not followed" in result.error
    time.sleep(0.1)
    assert receiver.paths() == ["/redirect"]  # /ok was never requested


def test_slow_server_times_out(receiver):
    started = time.monotonic()
    result = post(
        receiver.url("/slow"), body=BODY, headers=HEADERS, allow_private=True, timeout=(1, 0.3)
    )
    assert time.monotonic() - started < 1.5
    assert not result.ok
    assert result.status_code is None
    assert result.error == "your server did not answer within 0.3 s"


def test_dripping_server_is_cut_by_the_deadline(receiver):
    """Each byte comes well within the read timeout; the whole answer does not."""
    started = time.monotonic()
    result = post(
        receiver.url("/drip"),
        body=BODY,
        headers=HEADERS,
        allow_private=True,
        timeout=(1, 1),
        deadline=0.5,
    )
    assert time.monotonic() - started < 1.5
    assert not result.ok
    assert result.error == "your server did not finish answering within 0.5 s"


def test_connect_timeout(monkeypatch):
    def hang(address, port, timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr(outbound, "_open_socket", hang)
    result = post(
        "http://127.0.0.1:9/", body=BODY, headers=HEADERS, allow_private=True, timeout=(10, 5)
    )
    assert result.error == "connection timed out after 10 s"


def test_connection_refused():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: refused
        result = post(f"http://127.0.0.1:{port}/", body=BODY, headers=HEADERS, allow_private=True)
    assert result.status_code is None
    assert result.error == "your server refused the connection"


def test_huge_body_is_cut_at_1_kb(receiver):
    started = time.monotonic()
    result = post(receiver.url("/huge"), body=BODY, headers=HEADERS, allow_private=True)
    assert result.ok
    assert len(result.excerpt) == EXCERPT_BYTES
    assert result.excerpt == "x" * EXCERPT_BYTES
    assert time.monotonic() - started < 2  # did not download 64 MB


def test_https_required_when_not_allowed(receiver, no_connections):
    result = post(receiver.url("/ok"), body=BODY, headers=HEADERS, allow_private=False)
    assert not result.ok
    assert "loopback" in result.error or "https" in result.error
    result = post(
        receiver.url("/ok"), body=BODY, headers=HEADERS, allow_private=True, require_https=True
    )
    assert result.error == "the URL must use https"
    assert receiver.requests == []
    assert no_connections == []


def test_https_to_plain_http_server_fails_cleanly(receiver):
    url = f"https://127.0.0.1:{receiver.port}/ok"
    result = post(url, body=BODY, headers=HEADERS, allow_private=True, timeout=(1, 1))
    assert not result.ok
    assert result.status_code is None
    assert result.error.startswith("the TLS handshake failed")


def test_bad_header_is_a_result_not_an_exception(receiver):
    result = post(
        receiver.url("/ok"), body=BODY, headers={"X-Bad": "a\r\nInjected: 1"}, allow_private=True
    )
    assert not result.ok
    assert receiver.requests == []


def test_falls_back_only_to_other_checked_addresses(fake_dns, receiver):
    # Nothing listens on 127.0.0.2: refused there, delivered to the next checked address.
    fake_dns.add("multi.test", ["127.0.0.2", "127.0.0.1"])
    result = post(
        receiver.url("/ok", host="multi.test"), body=BODY, headers=HEADERS, allow_private=True
    )
    assert result.ok, result.error
    assert result.address == "127.0.0.1"
    assert fake_dns.lookups == ["multi.test"]


def test_environment_proxies_are_ignored(monkeypatch, receiver):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://10.9.9.9:3128")
    result = post(receiver.url("/ok"), body=BODY, headers=HEADERS, allow_private=True)
    assert result.ok, result.error
    assert result.address == "127.0.0.1"


def test_refusal_log_names_no_path_or_query(caplog, no_connections):
    with caplog.at_level("INFO", logger="core.outbound"):
        post("https://10.0.0.1/hook?token=s3cret", body=BODY, headers=HEADERS, allow_private=False)
    assert "10.0.0.1 is private" in caplog.text
    assert "s3cret" not in caplog.text


def test_ipv6_literal_receiver(receiver6):
    url = f"http://[::1]:{receiver6.port}/ok"
    result = post(url, body=BODY, headers=HEADERS, allow_private=True)
    assert result.ok, result.error
    assert result.address == "::1"
    assert receiver6.requests[0]["headers"]["Host"] == f"[::1]:{receiver6.port}"
    refused = post(url, body=BODY, headers=HEADERS, allow_private=False, require_https=False)
    assert refused.error == "refused: the address ::1 is loopback"
