"""SPEC §5.3: one message per error code, and one JSON serialisation for every error body,
whichever part of the front door answers (DRF's exception handler, a middleware, Django's
error handlers); no OPTIONS metadata; and a 500 that still shows the rate limits (§5.2)."""

import json

import pytest
from django.conf import settings

from api.errors import MESSAGES, error_message
from tests.api.urls_for_tests import (
    ACCENTED,
    ACCENTED_MESSAGE,
    CRASH,
    MISSING,
    WIDGETS,
    widget_rows,
)
from tests.api_client import assert_api_error
from tests.factories import ProductFactory

pytestmark = pytest.mark.urls("tests.api.urls_for_tests")

GROWTH_POLICY = '"daily";q=500;w=86400, "burst";q=20;w=60'
RATE_LIMIT_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit-Policy",
    "RateLimit",
)


def compact_utf8(body: dict) -> bytes:
    """The one serialisation: no spaces after separators, UTF-8 rather than \\u escapes."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def oversized_body() -> bytes:
    return json.dumps({"name": "Big", "pad": "x" * settings.SALYNC_API_MAX_BODY_BYTES}).encode()


@pytest.fixture
def errors(api, api_key, free_key, workspace):
    """One response per part of the front door that answers errors, with its status and code."""
    missing_product = ProductFactory(workspace=workspace).pk + 1000
    return {
        "routing 404": (api.get("/api/v1/nope", auth=api_key), 404, "not_found"),
        "routing 404 without a key": (api.get("/api/v1/nope/deeper/"), 404, "not_found"),
        "view 404": (api.get(MISSING, auth=api_key), 404, "not_found"),
        "product 404": (
            api.get(f"/api/v1/products/{missing_product}", auth=api_key),
            404,
            "not_found",
        ),
        "413": (api.post(WIDGETS, body=oversized_body(), auth=api_key), 413, "payload_too_large"),
        "405": (api.request("DELETE", "/api/v1/", auth=api_key), 405, "method_not_allowed"),
        "405 on a write endpoint": (
            api.request("PUT", WIDGETS, auth=api_key, body="{}"),
            405,
            "method_not_allowed",
        ),
        "400 validation": (
            api.post(WIDGETS, {"items": [{}]}, auth=api_key),
            400,
            "validation_error",
        ),
        "400 malformed": (api.post(WIDGETS, body="{", auth=api_key), 400, "malformed_json"),
        "400 bad host": (
            api.get("/api/v1/", HTTP_HOST="evil.example"),
            400,
            "bad_request",
        ),
        "401": (api.get(), 401, "authentication_required"),
        "401 bad key": (api.get(auth="Bearer slk_nope"), 401, "invalid_api_key"),
        "403 plain http": (
            api.get(secure=False, REMOTE_ADDR="203.0.113.5"),
            403,
            "https_required",
        ),
        "403 plan": (api.get(auth=free_key), 403, "plan_upgrade_required"),
        "406": (api.get(auth=api_key, HTTP_ACCEPT="text/html"), 406, "not_acceptable"),
        "409 domain error, not ASCII": (api.post(ACCENTED, {}, auth=api_key), 409, "invalid_state"),
        "415": (
            api.post(WIDGETS, body="a=b", content_type="text/plain", auth=api_key),
            415,
            "unsupported_media_type",
        ),
        "500": (api.get(CRASH, auth=api_key), 500, "internal_error"),
    }


def test_every_error_body_has_one_serialisation(errors):
    for name, (response, status, code) in errors.items():
        assert_api_error(response, status, code)
        assert response["Content-Type"] == "application/json", name
        assert response.content == compact_utf8(json.loads(response.content)), name


def test_a_message_that_is_not_ascii_is_utf8_not_escaped(api, api_key):
    response = api.post(ACCENTED, {}, auth=api_key)

    assert assert_api_error(response, 409, "invalid_state")["message"] == ACCENTED_MESSAGE
    assert ACCENTED_MESSAGE.encode() in response.content


def test_each_front_door_code_has_its_one_message(errors):
    for name, (response, _status, code) in errors.items():
        message = response.json()["error"]["message"]
        if code == "plan_upgrade_required":  # the one feature a front-door refusal names
            assert message == error_message(code, feature="API access", plans="Growth or Pro")
        elif code in MESSAGES and code != "payload_too_large":
            assert message == MESSAGES[code], name
    size = settings.SALYNC_API_MAX_BODY_BYTES
    assert errors["413"][0].json()["error"]["message"] == (
        f"The request body is larger than {size} bytes."
    )


def test_a_missing_object_and_a_missing_endpoint_say_the_same(errors):
    messages = {
        errors[name][0].json()["error"]["message"]
        for name in ["routing 404", "routing 404 without a key", "view 404", "product 404"]
    }

    assert messages == {"No such object or endpoint."}


def test_a_replayed_error_keeps_the_one_serialisation(api, api_key):
    headers = {"Idempotency-Key": "bad-widget"}
    first = api.post(WIDGETS, {"name": "x" * 81}, auth=api_key, headers=headers)

    replayed = api.post(WIDGETS, {"name": "x" * 81}, auth=api_key, headers=headers)

    assert replayed["Idempotent-Replayed"] == "true"
    assert_api_error(replayed, 400, "validation_error")
    assert replayed.content == compact_utf8(json.loads(replayed.content))
    assert replayed.content.replace(replayed["X-Request-Id"].encode(), b"") == (
        first.content.replace(first["X-Request-Id"].encode(), b"")
    )


# --- OPTIONS -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v1/products/", WIDGETS, "/api/v1/"])
def test_options_describes_no_fields(api, api_key, path):
    """DRF's metadata called every writable field read-only; the schema is the description."""
    response = api.request("OPTIONS", path, auth=api_key)

    assert_api_error(response, 405, "method_not_allowed")
    assert b"read_only" not in response.content
    assert b"actions" not in response.content
    allowed = {method.strip() for method in response["Allow"].split(",")}
    assert "OPTIONS" not in allowed
    assert "POST" in allowed or path == "/api/v1/"


def test_options_on_an_editable_object_describes_no_fields(api, api_key, workspace):
    product = ProductFactory(workspace=workspace)

    response = api.request("OPTIONS", f"/api/v1/products/{product.pk}", auth=api_key)

    assert_api_error(response, 405, "method_not_allowed")
    assert b"read_only" not in response.content
    assert b"actions" not in response.content


def test_options_is_an_authenticated_response(api, api_key):
    response = api.request("OPTIONS", "/api/v1/products", auth=api_key)

    assert response["RateLimit-Policy"] == GROWTH_POLICY


# --- A crash still shows the rate limits -------------------------------------------------------


def test_a_500_carries_the_rate_limit_headers(api, api_key):
    before = api.get(auth=api_key)

    response = api.get(CRASH, auth=api_key)

    assert_api_error(response, 500, "internal_error")
    for name in RATE_LIMIT_HEADERS:
        assert name in response, name
    assert response["RateLimit-Policy"] == GROWTH_POLICY
    # The crashed request was counted, like any other that reached the view.
    assert int(response["X-RateLimit-Remaining"]) == int(before["X-RateLimit-Remaining"]) - 1
    assert response["X-Request-Id"].startswith("req_")


def test_a_500_in_a_write_carries_the_rate_limit_headers(api, api_key, monkeypatch):
    monkeypatch.setattr("tests.api.urls_for_tests.FAIL_AFTER_WRITE", True)

    response = api.post(
        WIDGETS, {"name": "Crash"}, auth=api_key, headers={"Idempotency-Key": "crash-1"}
    )

    assert_api_error(response, 500, "internal_error")
    assert response["RateLimit-Policy"] == GROWTH_POLICY
    assert "RateLimit" in response
    assert widget_rows("Crash") == 0
