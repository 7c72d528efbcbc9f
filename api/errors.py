"""The API's one error format (SPEC §5.3):

    {"error": {"code": "snake_case", "message": "…", "fields": {…}?, "request_id": "…"}}

Every 4xx/5xx under /api/ is built here, whether DRF, a middleware or Django produced it: one
message per code (``MESSAGES``) and one serialisation (:func:`render_error`) for every body.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer

from api.parsers import MAX_JSON_DEPTH
from core.errors import DomainError

logger = logging.getLogger("salync.api")

# The one message of each front-door code. A template's fields are filled per response; a
# domain error (``core.errors.DomainError``) brings its own code and message.
MESSAGES = {
    "bad_request": "The request could not be understood.",
    "malformed_json": (
        f"The request body is not valid JSON, or is nested more than {MAX_JSON_DEPTH} levels deep."
    ),
    "validation_error": "The request has invalid fields.",
    "authentication_required": (
        "Authentication required: send your API key as 'Authorization: Bearer <key>'."
    ),
    "invalid_api_key": "The API key is not valid. It may have been revoked or have expired.",
    "https_required": "The API is only served over HTTPS.",
    "plan_upgrade_required": (
        "Your workspace's plan does not include {feature}. Upgrade to {plans}."
    ),
    "insufficient_scope": "This API key is read-only: it cannot make changes.",
    "not_found": "No such object or endpoint.",
    "method_not_allowed": "This endpoint does not support this method; see the Allow header.",
    "not_acceptable": "The API answers in JSON only: accept application/json.",
    "idempotency_conflict": "A request with this Idempotency-Key is still being processed.",
    "payload_too_large": "The request body is larger than {max_bytes} bytes.",
    "unsupported_media_type": "Send the request body as JSON (Content-Type: application/json).",
    "idempotency_key_reused": "This Idempotency-Key was already used with a different request.",
    "rate_limit_exceeded": (
        "Rate limit exceeded: the {window} of {limit} requests is used up. Retry in {wait} seconds."
    ),
    "internal_error": (
        "Something went wrong on our side. Quote the request_id if you contact support."
    ),
}

# Codes for errors answered outside DRF views (Django's error handlers).
ERROR_CODES = {400: "bad_request", 404: "not_found", 500: "internal_error"}

# DRF's own codes, renamed to the contract's.
_CODE_ALIASES = {
    "parse_error": "malformed_json",
    "not_authenticated": "authentication_required",
    "authentication_failed": "invalid_api_key",
    "invalid": "validation_error",
}


class ApiError(exceptions.APIException):
    """Base for our own errors: ``default_code`` is the contract code."""


class InvalidApiKey(exceptions.AuthenticationFailed):
    default_detail = MESSAGES["invalid_api_key"]
    default_code = "invalid_api_key"


class PlanUpgradeRequired(exceptions.PermissionDenied):
    """403 for a feature the workspace's plan lacks: the API itself, or webhooks."""

    default_code = "plan_upgrade_required"

    def __init__(self, feature: str = "API access", plans: str = "Growth or Pro"):
        self.params = {"feature": feature, "plans": plans}
        super().__init__(error_message(self.default_code, **self.params))


class InsufficientScope(exceptions.PermissionDenied):
    default_detail = MESSAGES["insufficient_scope"]
    default_code = "insufficient_scope"


class RateLimitExceeded(ApiError):
    """429 for one window; ``wait`` (whole seconds until it frees) becomes ``Retry-After``.
    Not DRF's ``Throttled``, which would append its own sentence about the wait."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limit_exceeded"

    def __init__(self, *, window: str, limit: int, wait: int):
        self.wait = wait
        self.params = {"window": window, "limit": limit, "wait": wait}
        super().__init__(error_message(self.default_code, **self.params))


class IdempotencyKeyReused(ApiError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = MESSAGES["idempotency_key_reused"]
    default_code = "idempotency_key_reused"


class IdempotencyConflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_detail = MESSAGES["idempotency_conflict"]
    default_code = "idempotency_conflict"


def error_message(code: str, **params) -> str:
    """The one message of a front-door code."""
    return MESSAGES[code].format(**params)


def error_body(request, code: str, message: str, fields: dict | None = None) -> dict:
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    error["request_id"] = getattr(request, "request_id", "")
    return {"error": error}


_RENDERER = JSONRenderer()


def render_error(body: dict) -> bytes:
    """Every error body's bytes: compact, UTF-8, whatever the request asked for."""
    return _RENDERER.render(body)


def error_response(
    request,
    status_code: int,
    code: str,
    *,
    message: str | None = None,
    fields: dict | None = None,
    headers: dict | None = None,
    **params,
) -> HttpResponse:
    """Every API error response, from DRF views, middlewares and Django's error handlers alike.

    The message is the code's own, filled with ``params``; only a domain error's code, unknown
    to the front door, comes with its ``message``."""
    if code in MESSAGES:
        message = error_message(code, **params)
    body = render_error(error_body(request, code, message, fields))
    response = HttpResponse(body, status=status_code, content_type="application/json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def flatten_fields(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as ``{"variants.0.sku": ["…"]}``."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            flat.update(
                flatten_fields(value, f"{prefix}.{name}" if prefix and name else prefix or name)
            )
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            if item:  # DRF marks valid list items with an empty dict
                flat.update(flatten_fields(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def exception_handler(exc, context):
    """DRF's exception handler: every API exception in the contract format."""
    request = context["request"]
    if isinstance(exc, DomainError):
        return error_response(request, exc.status, exc.code, message=exc.message, fields=exc.fields)
    if isinstance(exc, DjangoValidationError):  # a service's own validation
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a crash: ApiTransportMiddleware answers 500 internal_error

    fields = None
    if isinstance(exc, exceptions.ValidationError):
        code = "validation_error"
        fields = flatten_fields(exc.detail)
    else:
        raw_code = exc.detail.code if hasattr(exc.detail, "code") else exc.default_code
        code = _CODE_ALIASES.get(raw_code, raw_code)

    headers = {}
    if getattr(exc, "auth_header", None):  # set by APIView from the authenticator
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait)))
    return error_response(
        request,
        exc.status_code,
        code,
        message=str(exc.detail),  # only for a code without a message of its own
        fields=fields,
        headers=headers,
        **getattr(exc, "params", {}),
    )
