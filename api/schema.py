"""OpenAPI: Bearer authentication, the error format, and the rate-limit headers on every
operation, so the reference documents what every endpoint may answer."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)

from core.validators import CONTROL_CHARACTERS, CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "request_id"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Machine-readable, snake_case.",
                    "example": "validation_error",
                },
                "message": {"type": "string", "description": "A sentence for people."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "validation_error only: field path → messages.",
                },
                "request_id": {"type": "string", "description": "Equals X-Request-Id."},
            },
        }
    },
}

RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": ("integer", "Requests allowed per day for this key."),
    "X-RateLimit-Remaining": ("integer", "Requests left today."),
    "X-RateLimit-Reset": ("integer", "When the daily quota resets (epoch seconds, 00:00 UTC)."),
    "RateLimit-Policy": ("string", 'IETF draft: "daily";q=500;w=86400, "burst";q=20;w=60'),
    "RateLimit": ("string", 'IETF draft: "daily";r=<left>;t=<secs>, "burst";r=<left>;t=<secs>'),
    "X-Request-Id": ("string", "This request's id, also in error bodies."),
}

# Strict text refuses control characters (api.fields.StrictCharField). One or more characters:
# drf-spectacular documents a blank-allowed field as oneOf this or "", which must not overlap.
ONE_LINE_TEXT_PATTERN = f"^[^{CONTROL_CHARACTERS}]+$"
MULTILINE_TEXT_PATTERN = f"^[^{CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS}]+$"

# status → (description, codes); every operation may answer these.
COMMON_ERRORS = {
    "400": ("Invalid request.", ["validation_error", "malformed_json", "bad_request"]),
    "401": ("Not authenticated.", ["authentication_required", "invalid_api_key"]),
    "403": ("Refused.", ["https_required", "plan_upgrade_required", "insufficient_scope"]),
    "404": ("Not found.", ["not_found"]),
    "405": ("Method not allowed.", ["method_not_allowed"]),
    "406": ("The Accept header does not allow JSON.", ["not_acceptable"]),
    "413": ("Body too large.", ["payload_too_large"]),
    "415": ("Body is not JSON.", ["unsupported_media_type"]),
    "429": ("Rate limited. See Retry-After.", ["rate_limit_exceeded"]),
    "500": ("Server error.", ["internal_error"]),
}
# Every write may conflict with the state of the world (the domain's codes); a POST may also
# conflict with its own Idempotency-Key.
CONFLICT_CODES = [
    "invalid_state", "sku_taken", "insufficient_stock", "stock_changed", "over_receipt",
    "already_listed",
]  # fmt: skip
WRITE_ERRORS = {"409": ("Conflict.", CONFLICT_CODES)}
POST_ERRORS = {
    "409": ("Conflict.", ["idempotency_conflict", *CONFLICT_CODES]),
    "422": ("Idempotency-Key reused with another request.", ["idempotency_key_reused"]),
}


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "slk_ followed by at least 32 base62 characters",
            "description": "An API key from Settings → API Keys.",
        }


class StrictCharFieldSchema(OpenApiSerializerFieldExtension):
    """Strict text documents that it refuses control characters (tab and line breaks are
    allowed in multi-line text)."""

    target_class = "api.fields.StrictCharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        pattern = MULTILINE_TEXT_PATTERN if self.target.multiline else ONE_LINE_TEXT_PATTERN
        return {**schema, "pattern": pattern}


def _error_response(description: str, codes: list[str]) -> dict:
    return {
        "description": f"{description} Codes: {', '.join(codes)}.",
        "headers": {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}},
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "examples": {
                    code: {
                        "value": {"error": {"code": code, "message": "…", "request_id": "req_…"}}
                    }
                    for code in codes
                },
            }
        },
    }


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: errors and rate-limit headers everywhere, and
    request bodies as strict as the API is."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False  # request bodies refuse unknown fields
    schemas["Error"] = ERROR_SCHEMA
    components["headers"] = {
        name: {"schema": {"type": kind}, "description": text}
        for name, (kind, text) in RATE_LIMIT_HEADERS.items()
    }
    header_refs = {name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            errors = dict(COMMON_ERRORS)
            if method in ("patch", "put", "delete"):
                errors.update(WRITE_ERRORS)
            if method == "post":
                errors.update(POST_ERRORS)
                operation.setdefault("parameters", []).append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                        "description": "Replays the first response for 24 hours.",
                    }
                )
            for status, (description, codes) in errors.items():
                responses.setdefault(status, _error_response(description, codes))
            for status, response in responses.items():
                if status.startswith("2") or status == "429":
                    response.setdefault("headers", {}).update(header_refs)
    return result
