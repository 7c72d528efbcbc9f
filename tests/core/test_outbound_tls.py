"""TLS while connecting to the checked IP: SNI and certificate checked against the host name."""

import http.server
import shutil
import ssl
import subprocess
import threading

import pytest

from core import outbound
from core.outbound import post

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl CLI")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=receiver.test",
            "-addext", "subjectAltName=DNS:receiver.test",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_receiver(certificate, monkeypatch):
    cert, key = certificate
    seen_sni: list[str | None] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(204)
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: seen_sni.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def trusting_context():
        client = ssl.create_default_context(cafile=str(cert))
        assert client.check_hostname
        assert client.verify_mode == ssl.CERT_REQUIRED
        return client

    monkeypatch.setattr(outbound, "_ssl_context", trusting_context)
    server.seen_sni = seen_sni
    yield server
    server.shutdown()
    server.server_close()


def test_default_context_verifies():
    context = outbound._ssl_context()
    assert context.check_hostname
    assert context.verify_mode == ssl.CERT_REQUIRED


def test_pinned_ip_with_host_name_verification(fake_dns, tls_receiver):
    fake_dns.add("receiver.test", ["127.0.0.1"])
    port = tls_receiver.server_address[1]
    result = post(f"https://receiver.test:{port}/in", body=b"{}", headers={}, allow_private=True)
    assert result.ok, result.error
    assert result.status_code == 204
    assert result.address == "127.0.0.1"
    assert tls_receiver.seen_sni == ["receiver.test"]


def test_certificate_for_another_name_is_refused(fake_dns, tls_receiver):
    fake_dns.add("other.test", ["127.0.0.1"])
    port = tls_receiver.server_address[1]
    result = post(f"https://other.test:{port}/in", body=b"{}", headers={}, allow_private=True)
    assert not result.ok
    assert result.error.startswith("the TLS certificate could not be verified")
    assert "other.test" in result.error or "mismatch" in result.error.lower()


def test_ip_url_is_verified_against_the_ip(tls_receiver):
    port = tls_receiver.server_address[1]
    result = post(f"https://127.0.0.1:{port}/in", body=b"{}", headers={}, allow_private=True)
    assert not result.ok
    assert result.error.startswith("the TLS certificate could not be verified")
