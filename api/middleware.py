import logging

from django.conf import settings

from api.errors import error_response
from core.net import is_api_path, plain_http_allowed

logger = logging.getLogger("salync.api")


class ApiTransportMiddleware:
    """Under /api/: refuse plain HTTP (403 ``https_required``, never a redirect) and oversized
    bodies (413), before authentication, so neither is ever counted against a key. Answer
    unhandled exceptions with 500 ``internal_error`` and no traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request.path):
            return self.get_response(request)
        if not request.is_secure() and not plain_http_allowed(request):
            return error_response(request, 403, "https_required")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.SALYNC_API_MAX_BODY_BYTES:
            return error_response(
                request, 413, "payload_too_large", max_bytes=settings.SALYNC_API_MAX_BODY_BYTES
            )
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_api_path(request.path):
            return None
        # The traceback goes to our log only; the client gets the request id to quote.
        logger.exception("Unhandled API error (request %s)", getattr(request, "request_id", ""))
        # An authenticated request's 500 still shows its rate limits (SPEC §5.2): the API view
        # left them on the request.
        state = getattr(request, "rate_limit_state", None)
        return error_response(
            request, 500, "internal_error", headers=state.headers() if state else None
        )
