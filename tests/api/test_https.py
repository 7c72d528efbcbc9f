"""SPEC §5.1: HTTPS only. Plain HTTP gets 403 https_required, before authentication, never a
redirect, never counted."""

import json
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import override_settings

from tests.api.conftest import remaining_today
from tests.api_client import assert_api_error

OUTSIDE = "203.0.113.5"  # TEST-NET-3: an ordinary remote client
TRUST_PROXY = override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
ALLOW_LOOPBACK = override_settings(SALYNC_ALLOW_LOOPBACK_HTTP=True)

PRODUCTION_EXEMPT = [r"^api(/|$)"]  # as salync/settings/production.py


def test_test_settings_do_not_allow_loopback_http():
    assert settings.SALYNC_ALLOW_LOOPBACK_HTTP is False
    assert getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None


def _assert_refused(response):
    assert_api_error(response, 403, "https_required")
    assert "Location" not in response
    assert "X-RateLimit-Remaining" not in response


def test_plain_http_is_refused(api, api_key):
    _assert_refused(api.get(auth=api_key, secure=False, REMOTE_ADDR=OUTSIDE))


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/schema", "/api/v1/docs", "/api/v2/x"])
def test_plain_http_is_refused_on_every_api_path(api, db, path):
    _assert_refused(api.get(path, secure=False, REMOTE_ADDR=OUTSIDE))


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_plain_http_is_refused_for_every_method(api, api_key, method):
    response = api.request(method, "/api/v1/", auth=api_key, secure=False, REMOTE_ADDR=OUTSIDE)

    assert response.status_code == 403
    assert "Location" not in response


def test_plain_http_is_checked_before_authentication(api, db):
    _assert_refused(api.get(auth="Bearer slk_not-a-real-key", secure=False, REMOTE_ADDR=OUTSIDE))
    _assert_refused(api.get(secure=False, REMOTE_ADDR=OUTSIDE))


def test_plain_http_is_checked_before_the_plan(api, free_key):
    _assert_refused(api.get(auth=free_key, secure=False, REMOTE_ADDR=OUTSIDE))


def test_plain_http_is_not_counted(api, api_key):
    before = api.get(auth=api_key)
    assert before.status_code == 200

    for _ in range(5):
        _assert_refused(api.get(auth=api_key, secure=False, REMOTE_ADDR=OUTSIDE))
    after = api.get(auth=api_key)

    assert after.status_code == 200
    assert remaining_today(after) == remaining_today(before) - 1
    assert '"burst";r=18;' in after["RateLimit"]


def test_plain_http_does_not_mark_the_key_used(api, api_key):
    api.get(auth=api_key, secure=False, REMOTE_ADDR=OUTSIDE)

    api_key.record.refresh_from_db()
    assert api_key.record.last_used_at is None


def test_https_is_served(api, api_key):
    assert api.get(auth=api_key, REMOTE_ADDR=OUTSIDE).status_code == 200


# --- X-Forwarded-Proto --------------------------------------------------------------------------


def test_forwarded_proto_is_ignored_unless_trusted(api, api_key):
    response = api.get(
        auth=api_key, secure=False, REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_PROTO="https"
    )

    _assert_refused(response)


@TRUST_PROXY
def test_forwarded_proto_https_is_honoured_when_trusted(api, api_key):
    response = api.get(
        auth=api_key, secure=False, REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_PROTO="https"
    )

    assert response.status_code == 200


@TRUST_PROXY
@pytest.mark.parametrize("proto", [None, "http"])
def test_a_trusted_proxy_reporting_http_is_refused(api, api_key, proto):
    extra = {"HTTP_X_FORWARDED_PROTO": proto} if proto else {}

    _assert_refused(api.get(auth=api_key, secure=False, REMOTE_ADDR=OUTSIDE, **extra))


# --- Loopback -----------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_loopback_http_is_refused_by_default(api, api_key, address):
    _assert_refused(api.get(auth=api_key, secure=False, REMOTE_ADDR=address))


@ALLOW_LOOPBACK
@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1"])
def test_loopback_http_is_allowed_when_configured(api, api_key, address):
    assert api.get(auth=api_key, secure=False, REMOTE_ADDR=address).status_code == 200


@ALLOW_LOOPBACK
@pytest.mark.parametrize("address", [OUTSIDE, "10.0.0.8", "192.168.1.20", "::ffff:203.0.113.5", ""])
def test_loopback_setting_does_not_open_http_to_other_addresses(api, api_key, address):
    _assert_refused(api.get(auth=api_key, secure=False, REMOTE_ADDR=address))


@ALLOW_LOOPBACK
def test_loopback_setting_ignores_a_forged_forwarded_for(api, api_key):
    response = api.get(
        auth=api_key, secure=False, REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR="127.0.0.1"
    )

    _assert_refused(response)


# --- Production-like settings: the API is refused, not redirected -------------------------------


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=PRODUCTION_EXEMPT)
@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/schema", "/api/v2/x"])
def test_api_is_exempt_from_the_site_wide_https_redirect(api, db, path):
    _assert_refused(api.get(path, secure=False, REMOTE_ADDR=OUTSIDE))


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=PRODUCTION_EXEMPT)
def test_bare_api_path_is_not_redirected_in_production(api, db):
    _assert_refused(api.get("/api", secure=False, REMOTE_ADDR=OUTSIDE))


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=PRODUCTION_EXEMPT)
def test_web_pages_are_still_redirected_in_production(client, db):
    response = client.get("/developers/", secure=False, REMOTE_ADDR=OUTSIDE)

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


# --- Production defaults ------------------------------------------------------------------------

_PRINT_SETTINGS = (
    "import json; from django.conf import settings; print(json.dumps({"
    "'loopback': settings.SALYNC_ALLOW_LOOPBACK_HTTP, "
    "'trust': settings.SALYNC_TRUST_X_FORWARDED_PROTO, "
    "'proxy_header': getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), "
    "'redirect': settings.SECURE_SSL_REDIRECT, "
    "'exempt': settings.SECURE_REDIRECT_EXEMPT}))"
)


def _production_settings(**env_overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SALYNC_", "DJANGO_", "DEBUG", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="salync.settings.production",
        SECRET_KEY="test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        SALYNC_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="salync.example.com",
        REDIS_URL="redis://127.0.0.1:6379/15",
        **env_overrides,
    )
    result = subprocess.run(
        [sys.executable, "-c", _PRINT_SETTINGS],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_defaults_refuse_loopback_http_and_distrust_the_proxy_header():
    production = _production_settings()

    assert production["loopback"] is False
    assert production["trust"] is False
    assert production["proxy_header"] is None
    assert production["redirect"] is True
    assert production["exempt"] == PRODUCTION_EXEMPT


def test_production_trusts_the_proxy_header_only_when_configured():
    production = _production_settings(SALYNC_TRUST_X_FORWARDED_PROTO="1")

    assert production["trust"] is True
    assert production["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
