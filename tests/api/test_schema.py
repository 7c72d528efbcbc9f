"""SPEC §5: the OpenAPI 3 schema, the interactive reference (no CDN) and the Developers page."""

import io
import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

from tests.api.conftest import assert_api_error

ERROR_CODES = [
    "https_required",
    "authentication_required",
    "invalid_api_key",
    "plan_upgrade_required",
    "insufficient_scope",
    "rate_limit_exceeded",
    "validation_error",
    "malformed_json",
    "not_found",
    "method_not_allowed",
    "invalid_state",
    "payload_too_large",
    "unsupported_media_type",
    "internal_error",
    "idempotency_key_reused",
    "idempotency_conflict",
    "not_acceptable",
    "bad_request",
]
RATE_LIMIT_HEADERS = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit-Policy",
    "RateLimit",
]
# Any absolute URL whose host is not this install's.
FOREIGN_URL = re.compile(r"(?:https?:)?//(?!testserver[/:\"'])[a-z0-9.-]+\.[a-z]{2,}", re.I)


_fetched: dict[str, str] = {}


@pytest.fixture
def schema_text(api, db) -> str:
    """The JSON schema's text, fetched once per module (generating it takes a moment)."""
    if "json" not in _fetched:
        response = api.get("/api/v1/schema?format=json")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
        _fetched["json"] = response.content.decode()
    return _fetched["json"]


@pytest.fixture
def schema(schema_text) -> dict:
    return json.loads(schema_text)


def test_schema_is_openapi_3_in_yaml_by_default(api, db):
    response = api.get("/api/v1/schema")

    assert response.status_code == 200
    assert "openapi" in response["Content-Type"]
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Salync API"


def test_schema_json_and_yaml_agree(api, schema):
    assert yaml.safe_load(api.get("/api/v1/schema").content) == schema


def test_schema_needs_no_key(api, db):
    response = api.get("/api/v1/schema", headers={"Authorization": "Bearer slk_unknown"})

    assert response.status_code == 200
    assert "X-RateLimit-Remaining" not in response


def test_schema_documents_bearer_authentication(schema):
    schemes = schema["components"]["securitySchemes"]
    assert len(schemes) == 1
    ((name, scheme),) = schemes.items()
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert "slk_" in scheme["bearerFormat"]
    index = schema["paths"]["/api/v1/"]["get"]
    assert index["security"] == [{name: []}]


def test_schema_documents_the_error_format(schema):
    error = schema["components"]["schemas"]["Error"]
    inner = error["properties"]["error"]
    assert set(inner["required"]) == {"code", "message", "request_id"}
    assert set(inner["properties"]) == {"code", "message", "fields", "request_id"}


def test_every_operation_answers_errors_in_the_error_format(schema):
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert operations
    for path, method, operation in operations:
        for status in ["400", "401", "403", "404", "405", "406", "413", "415", "429", "500"]:
            response = operation["responses"][status]
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error", (path, method, status)


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_code_is_documented(schema_text, code):
    assert re.search(rf"\b{code}\b", schema_text)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Accept": "text/html"}, "406", "not_acceptable"),
        ({"Host": "evil.example"}, "400", "bad_request"),
    ],
    ids=["accept-not-json", "bad-host"],
)
def test_the_406_and_bad_host_400_send_the_codes_the_schema_documents(
    api, api_key, schema, headers, status, code
):
    response = api.get("/api/v1/stock/", auth=api_key, headers=headers)

    assert_api_error(response, int(status), code)
    documented = schema["paths"]["/api/v1/"]["get"]["responses"][status]
    assert code in documented["content"]["application/json"]["examples"]


def test_rate_limit_headers_are_documented(schema):
    headers = schema["components"]["headers"]
    for name in RATE_LIMIT_HEADERS:
        assert name in headers, name
    index_ok = schema["paths"]["/api/v1/"]["get"]["responses"]["200"]
    assert set(RATE_LIMIT_HEADERS) <= set(index_ok["headers"])
    limited = schema["paths"]["/api/v1/"]["get"]["responses"]["429"]
    assert set(RATE_LIMIT_HEADERS) <= set(limited["headers"])


def test_schema_text_names_the_rate_limit_headers_and_limits(schema_text):
    text = schema_text
    for name in ["X-RateLimit-Limit", "RateLimit-Policy", "RateLimit", "Retry-After"]:
        assert name in text
    assert "500" in text
    assert "10,000" in text


def test_schema_validates_without_warnings():
    out = io.StringIO()

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        stdout=out,
        stderr=io.StringIO(),
    )

    assert json.loads(out.getvalue())["openapi"].startswith("3.")


# --- Interactive reference ----------------------------------------------------------------------


def test_docs_page_loads_swagger_ui_from_our_static_files(api, db):
    response = api.get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in scripts
    assert all(src.startswith("/") and not src.startswith("//") for src in scripts), scripts
    stylesheets = re.findall(r'<link[^>]*href="([^"]+)"', page)
    assert stylesheets
    assert all(href.startswith("/static/") for href in stylesheets)
    assert not FOREIGN_URL.search(page), FOREIGN_URL.search(page)


def test_docs_assets_exist_in_the_sidecar():
    for asset in ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"]:
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"), asset


def test_docs_script_points_at_our_schema_and_no_other_host(api, db):
    page = api.get("/api/v1/docs").content.decode()
    (script_src,) = [s for s in re.findall(r'<script[^>]*src="([^"]+)"', page) if "docs" in s]

    script = api.get(script_src.replace("&amp;", "&"))

    assert script.status_code == 200
    text = script.content.decode()
    assert "/api/v1/schema" in text
    assert not FOREIGN_URL.search(text), FOREIGN_URL.search(text)


def test_docs_page_keeps_scripts_to_our_own_origin(api, db):
    policy = api.get("/api/v1/docs")["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}

    assert directives["script-src"] == ["'self'"]
    assert not FOREIGN_URL.search(policy)


# --- Developers page ----------------------------------------------------------------------------


def test_developers_page_shows_the_real_base_url_and_limits(client, db):
    response = client.get("/developers/", secure=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<code>https://testserver/api/v1/</code>" in page
    rows = {
        plan: (daily, burst)
        for plan, daily, burst in re.findall(
            r'<th scope="row">(\w+)</th><td>([\d,]+)</td><td>([\d,]+) requests/minute</td>', page
        )
    }
    assert rows == {"Growth": ("500", "20"), "Pro": ("10,000", "200")}
    assert "Free" not in rows


def test_developers_page_base_url_is_https_even_when_read_over_http(client, db):
    page = client.get("/developers/").content.decode()

    assert "https://testserver/api/v1/" in page
    assert "http://testserver" not in page
