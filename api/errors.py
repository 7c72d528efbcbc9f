"""The API's one error format (SPEC §5.3):

    {"error": {"code": "snake_case", "message": "…", "fields": {…}?, "request_id": "…"}}

Every 4xx/5xx under /api/ is built here, whether DRF, a middleware or Django produced it.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from core.errors import DomainError

logger = logging.getLogger("salync.api")


class ApiError(exceptions.APIException):
    """Base for our own errors: ``default_code`` is the contract code."""


class InvalidApiKey(exceptions.AuthenticationFailed):
    default_detail = "The API key is not valid. It may have been revoked."
    default_code = "invalid_api_key"


class PlanUpgradeRequired(exceptions.PermissionDenied):
    default_detail = "Your workspace's plan does not include API access. Upgrade to Growth or Pro."
    default_code = "plan_upgrade_required"


class InsufficientScope(exceptions.PermissionDenied):
    default_detail = "This API key is read-only: it cannot make changes."
    default_code = "insufficient_scope"


class RateLimitExceeded(exceptions.Throttled):
    default_code = "rate_limit_exceeded"

    def __init__(self, message: str, wait: int):
        super().__init__(wait=wait, detail=message)


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class IdempotencyKeyReused(ApiError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


class IdempotencyConflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being processed."
    default_code = "idempotency_conflict"


# DRF's own codes, renamed to the contract's.
_CODE_ALIASES = {
    "parse_error": "malformed_json",
    "not_authenticated": "authentication_required",
    "authentication_failed": "invalid_api_key",
    "throttled": "rate_limit_exceeded",
    "invalid": "validation_error",
}
_MESSAGES = {
    "malformed_json": "The request body is not valid JSON.",
    "authentication_required": (
        "Authentication required: send your API key as 'Authorization: Bearer <key>'."
    ),
    "not_found": "Not found.",
    "validation_error": "The request has invalid fields.",
    "method_not_allowed": "This method is not allowed here.",
    "unsupported_media_type": "Send the request body as JSON (Content-Type: application/json).",
}

# Codes for errors raised outside DRF views (middleware, URL resolution, crashes).
ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    500: "internal_error",
}


def error_body(request, code: str, message: str, fields: dict | None = None) -> dict:
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    error["request_id"] = getattr(request, "request_id", "")
    return {"error": error}


def error_response(request, status_code: int, code: str, message: str, **headers) -> JsonResponse:
    """An error outside DRF (middleware, routing, crashes), in the same format."""
    response = JsonResponse(error_body(request, code, message), status=status_code)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
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
        body = error_body(request, exc.code, exc.message, exc.fields)
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):  # a service's own validation
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a crash: ApiErrorMiddleware answers 500 internal_error

    fields = None
    if isinstance(exc, exceptions.ValidationError):
        code = "validation_error"
        fields = flatten_fields(exc.detail)
        message = _MESSAGES[code]
    else:
        raw_code = exc.detail.code if hasattr(exc.detail, "code") else exc.default_code
        code = _CODE_ALIASES.get(raw_code, raw_code)
        message = _MESSAGES.get(code) if code in _MESSAGES else str(exc.detail)

    headers = {}
    if getattr(exc, "auth_header", None):  # set by APIView from the authenticator
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait)))
    return Response(
        error_body(request, code, message, fields), status=exc.status_code, headers=headers
    )
