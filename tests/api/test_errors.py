"""SPEC §5.3: one JSON error shape for every 4xx/5xx under /api/, and X-Request-Id everywhere."""

import json

import pytest
from django.conf import settings

from tests.api.conftest import remaining_today
from tests.api.urls_for_tests import CONFLICT, CRASH, CRASH_MESSAGE, MISSING, WIDGETS, widget_rows
from tests.api_client import assert_api_error

pytestmark = pytest.mark.urls("tests.api.urls_for_tests")


# --- X-Request-Id ------------------------------------------------------------------------------


def test_successful_api_response_has_a_request_id(api, api_key):
    response = api.get(auth=api_key)

    assert response.status_code == 200
    assert response["X-Request-Id"].startswith("req_")


def test_request_ids_are_unique_per_request(api, api_key):
    ids = {api.get(auth=api_key)["X-Request-Id"] for _ in range(3)}

    assert len(ids) == 3


@pytest.mark.parametrize("path", ["/accounts/login/", "/developers/", "/no-such-page"])
def test_html_pages_have_a_request_id_too(client, db, path):
    response = client.get(path, secure=True)

    assert response["Content-Type"].startswith("text/html")
    assert response["X-Request-Id"].startswith("req_")


# --- Routing: 404 and 405 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api", "/api/", "/api/v1/nope", "/api/v1/nope/deeper/", "/api/v2/x", "/api/v1x"]
)
def test_unknown_api_routes_are_not_found_in_json(api, db, path):
    response = api.get(path)

    error = assert_api_error(response, 404, "not_found")
    assert "fields" not in error


def test_unknown_api_route_is_json_for_other_methods_too(api, api_key):
    response = api.post("/api/v1/nope", {"x": 1}, auth=api_key)

    assert_api_error(response, 404, "not_found")


def test_not_found_raised_in_a_view_is_the_json_format(api, api_key):
    response = api.get(MISSING, auth=api_key)

    assert_api_error(response, 404, "not_found")


@pytest.mark.parametrize("path", ["/api/v1/schema", "/api/v1/schema/", "/api/v1/docs/"])
def test_trailing_slash_is_optional(api, db, path):
    assert api.get(path).status_code == 200


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH", "POST"])
def test_wrong_method_is_method_not_allowed(api, api_key, method):
    response = api.request(method, "/api/v1/", auth=api_key, body="{}")

    assert_api_error(response, 405, "method_not_allowed")


def test_wrong_method_on_a_write_endpoint(api, api_key):
    response = api.request("DELETE", WIDGETS, auth=api_key)

    assert_api_error(response, 405, "method_not_allowed")


# --- Bodies -------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ['{"name": ', "not json", '{"name": "x",}', "\xff\xfe"])
def test_malformed_json_is_malformed_json(api, api_key, body):
    response = api.post(WIDGETS, body=body.encode("latin-1"), auth=api_key)

    error = assert_api_error(response, 400, "malformed_json")
    assert "fields" not in error
    assert widget_rows("x") == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("name=Form+widget", "application/x-www-form-urlencoded"),
        ("name=Form widget", "text/plain"),
        ('<widget name="x"/>', "application/xml"),
    ],
)
def test_a_body_that_is_not_json_is_unsupported_media_type(api, api_key, body, content_type):
    response = api.post(WIDGETS, body=body, content_type=content_type, auth=api_key)

    assert_api_error(response, 415, "unsupported_media_type")
    assert widget_rows("Form widget") == 0


def test_multipart_body_is_unsupported_media_type(api, api_key):
    response = api.client.post(
        WIDGETS,
        {"name": "Form widget"},
        secure=True,
        headers={"Authorization": api_key.authorization},
    )

    assert_api_error(response, 415, "unsupported_media_type")
    assert widget_rows("Form widget") == 0


def _oversized_body() -> bytes:
    padding = "x" * (settings.SALYNC_API_MAX_BODY_BYTES + 1)
    return json.dumps({"name": "Big", "padding": padding}).encode()


def test_body_over_the_limit_is_payload_too_large(api, api_key):
    response = api.post(WIDGETS, body=_oversized_body(), auth=api_key)

    assert_api_error(response, 413, "payload_too_large")
    assert widget_rows("Big") == 0


def test_body_at_the_limit_is_accepted(api, api_key):
    body = json.dumps({"name": "At limit", "pad": ""}).encode()
    room = settings.SALYNC_API_MAX_BODY_BYTES - len(body)
    body = body.replace(b'"pad": ""', b'"pad": "' + b"x" * room + b'"')
    assert len(body) == settings.SALYNC_API_MAX_BODY_BYTES

    response = api.post(WIDGETS, body=body, auth=api_key)

    assert response.status_code == 201
    assert widget_rows("At limit") == 1


def test_oversized_body_is_refused_before_authentication(api, db):
    response = api.post(WIDGETS, body=_oversized_body(), auth="Bearer slk_nonsense")

    assert_api_error(response, 413, "payload_too_large")


def test_oversized_body_is_not_counted_against_the_rate_limit(api, api_key):
    before = api.get(auth=api_key)

    for _ in range(3):
        assert api.post(WIDGETS, body=_oversized_body(), auth=api_key).status_code == 413
    after = api.get(auth=api_key)

    # Only the second GET itself was counted, not the three refused bodies.
    assert remaining_today(after) == remaining_today(before) - 1
    assert "r=18;" in after["RateLimit"].split("burst")[1]


# --- Validation ---------------------------------------------------------------------------------


def test_validation_error_names_the_fields(api, api_key):
    response = api.post(WIDGETS, {"items": []}, auth=api_key)

    error = assert_api_error(response, 400, "validation_error")
    assert set(error["fields"]) == {"name"}
    assert error["fields"]["name"] == ["This field is required."]


def test_validation_error_names_nested_fields_with_dots(api, api_key):
    response = api.post(
        WIDGETS,
        {"name": "Nested", "items": [{"sku": "A-1"}, {}, {"sku": ""}]},
        auth=api_key,
    )

    error = assert_api_error(response, 400, "validation_error")
    assert set(error["fields"]) == {"items.1.sku", "items.2.sku"}
    assert error["fields"]["items.1.sku"] == ["This field is required."]
    assert all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for messages in error["fields"].values()
    )
    assert widget_rows("Nested") == 0


def test_validation_error_for_a_body_that_is_not_an_object(api, api_key):
    response = api.post(WIDGETS, body="[1, 2]", auth=api_key)

    error = assert_api_error(response, 400, "validation_error")
    assert error["fields"]
    assert all(isinstance(messages, list) for messages in error["fields"].values())


def test_an_invalid_state_error_has_its_own_code(api, api_key):
    response = api.post(CONFLICT, {}, auth=api_key)

    assert_api_error(response, 409, "invalid_state")


# --- Crashes ------------------------------------------------------------------------------------


def test_unhandled_exception_is_internal_error_without_a_traceback(api, api_key, caplog):
    response = api.get(CRASH, auth=api_key)

    error = assert_api_error(response, 500, "internal_error")
    content = response.content.decode()
    assert "Traceback" not in content
    assert CRASH_MESSAGE not in content
    assert "RuntimeError" not in content
    assert "urls_for_tests" not in content
    # The traceback goes to the log, under the same request id the client can quote.
    logged = [r for r in caplog.records if r.name == "salync.api" and r.exc_info]
    assert logged
    assert error["request_id"] in logged[0].getMessage()


def test_unhandled_exception_in_a_write_is_rolled_back(api, api_key, monkeypatch):
    monkeypatch.setattr("tests.api.urls_for_tests.FAIL_AFTER_WRITE", True)

    response = api.post(WIDGETS, {"name": "Half-written"}, auth=api_key)

    assert_api_error(response, 500, "internal_error")
    assert CRASH_MESSAGE not in response.content.decode()


# --- Outside /api/: HTML errors -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/no-such-page", "/apix", "/apiary/v1/"])
def test_pages_outside_the_api_keep_html_errors(client, db, path):
    response = client.get(path, secure=True)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b'"error"' not in response.content


# --- Every error, one shape ---------------------------------------------------------------------


def test_every_error_has_exactly_the_contract_shape(api, api_key, read_only_key, free_key):
    """One sweep over the outcomes above, for the shape alone."""
    cases = [
        (api.get(), 401, "authentication_required"),
        (api.get(auth="Bearer slk_nope"), 401, "invalid_api_key"),
        (api.get(auth=free_key), 403, "plan_upgrade_required"),
        (api.post(WIDGETS, {"name": "x"}, auth=read_only_key), 403, "insufficient_scope"),
        (api.get("/api/v1/nope", auth=api_key), 404, "not_found"),
        (api.request("DELETE", "/api/v1/", auth=api_key), 405, "method_not_allowed"),
        (api.post(WIDGETS, body="{", auth=api_key), 400, "malformed_json"),
        (api.post(WIDGETS, {}, auth=api_key), 400, "validation_error"),
        (
            api.post(WIDGETS, body="a=b", content_type="text/plain", auth=api_key),
            415,
            "unsupported_media_type",
        ),
        (api.post(WIDGETS, body=_oversized_body(), auth=api_key), 413, "payload_too_large"),
        (api.get(CRASH, auth=api_key), 500, "internal_error"),
        (api.get(secure=False, REMOTE_ADDR="203.0.113.5"), 403, "https_required"),
    ]
    for response, status, code in cases:
        error = assert_api_error(response, status, code)
        assert ("fields" in error) == (code == "validation_error"), code


def test_a_disallowed_host_under_api_answers_in_the_error_format(client, db):
    response = client.get("/api/v1/", secure=True, HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]["code"] == "bad_request"
    assert body["error"]["request_id"] == response["X-Request-Id"]


def test_a_disallowed_host_on_a_page_keeps_the_html_error(client, db):
    response = client.get("/login/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_trailing_newline_is_not_the_same_route(api, api_key):
    """`$` would let "/api/v1/\\n" match the index route; routes end with \\Z."""
    response = api.get("/api/v1/%0A", auth=api_key)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
