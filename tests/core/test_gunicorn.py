"""gunicorn.conf.py, the configuration a plain ``gunicorn salync.wsgi:application`` loads: it
trusts forwarded headers only behind a proxy we were told about, and its access log never
records a key sent in the query string or as the Basic-auth user.

Each test starts a real gunicorn on production settings. Its requests stop at the API's front
door (403 ``https_required`` or 401 ``authentication_required``), so they touch neither the
database nor the cache: REDIS_URL only has to name a shared cache for the start-up check.
"""

import base64
import http.client
import json
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.core.environment import clean_environment

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _environment(tmp_path: Path, **env: str) -> dict[str, str]:
    environ = clean_environment()
    environ.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "SALYNC_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": "redis://127.0.0.1:6379/14",
            "WEB_CONCURRENCY": "1",
            **env,
        }
    )
    return environ


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """A gunicorn started in the repository root, as SPEC §1 runs it, logging to a file."""

    def __init__(self, tmp_path: Path, **env: str):
        self.port = _free_port()
        self.log_path = tmp_path / "gunicorn.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "salync.wsgi:application",
                "--access-logfile",
                "-",
                "--no-control-socket",
            ],
            cwd=REPO,
            env=_environment(tmp_path, PORT=str(self.port), **env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.log()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, self.log()
                time.sleep(0.1)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()
        return self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def start_gunicorn(tmp_path):
    servers = []

    def start(**env: str) -> Gunicorn:
        servers.append(Gunicorn(tmp_path, **env))
        return servers[-1]

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def _code(body: dict) -> str:
    return body["error"]["code"]


FORGED_SCHEME_HEADERS = [
    {"X-Forwarded-Proto": "https"},
    {"X-Forwarded-Ssl": "on"},
    {"X-Forwarded-Protocol": "ssl"},
]


def test_without_a_trusted_proxy_no_forwarded_header_makes_a_request_https(start_gunicorn):
    server = start_gunicorn()
    for headers in FORGED_SCHEME_HEADERS:
        status, body = server.get("/api/v1/", headers)
        assert (status, _code(body)) == (403, "https_required"), headers


def test_behind_a_trusted_proxy_only_x_forwarded_proto_counts(start_gunicorn):
    server = start_gunicorn(SALYNC_TRUST_X_FORWARDED_PROTO="1")
    status, body = server.get("/api/v1/", {"X-Forwarded-Proto": "https"})
    assert (status, _code(body)) == (401, "authentication_required")
    for headers in FORGED_SCHEME_HEADERS[1:]:
        status, body = server.get("/api/v1/", headers)
        assert (status, _code(body)) == (403, "https_required"), headers


def test_the_access_log_has_the_path_but_no_query_string_and_no_basic_auth_user(
    start_gunicorn,
):
    server = start_gunicorn()
    query_key = f"slk_{secrets.token_hex(16)}"
    user_key = f"slk_{secrets.token_hex(16)}"
    basic = base64.b64encode(f"{user_key}:".encode()).decode()
    status, _ = server.get(
        f"/api/v1/products?api_key={query_key}&limit=5", {"Authorization": f"Basic {basic}"}
    )
    assert status == 403
    log = server.stop()
    assert '"GET /api/v1/products HTTP/1.1" 403' in log
    assert query_key not in log
    assert "api_key" not in log
    assert user_key not in log


def test_the_defaults_bind_loopback_port_8000_with_a_30_second_timeout(tmp_path):
    result = subprocess.run(
        [str(GUNICORN), "--print-config", "salync.wsgi:application"],
        cwd=REPO,
        env=_environment(tmp_path, DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    values = {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    }
    assert values["bind"] == "['127.0.0.1:8000']"
    assert values["timeout"] == "30"
    assert values["secure_scheme_headers"] == "{}"
    assert values["forwarded_allow_ips"] == "[]"
