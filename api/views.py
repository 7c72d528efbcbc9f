import json

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api import idempotency, ratelimit
from api.errors import ERROR_CODES, RateLimitExceeded, error_response
from api.middleware import is_api_path
from api.routing import mounted_resources
from api.serializers import ApiIndexSerializer


class _Replay(Exception):
    def __init__(self, stored: idempotency.StoredResponse):
        self.stored = stored


class ApiViewMixin:
    """What every API view shares: key authentication, plan and scope checks, per-key rate
    limits with their headers on every authenticated response, and ``Idempotency-Key``."""

    api_key = None
    rate_limit: ratelimit.RateLimitState | None = None
    idempotency_record = None

    def perform_authentication(self, request):
        super().perform_authentication(request)
        self.api_key = request.auth

    def check_throttles(self, request):
        self.rate_limit = ratelimit.consume(request, self.api_key.workspace.entitlements)
        refused = self.rate_limit.refused_by
        if refused is not None:
            which = "daily quota" if refused.name == "daily" else "burst limit (per minute)"
            raise RateLimitExceeded(
                f"Rate limit exceeded: the {which} of {refused.limit} requests is used up. "
                f"Retry in {refused.reset_in} seconds.",
                wait=refused.reset_in,
            )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = request.headers.get(idempotency.HEADER)
        if request.method == "POST" and key is not None:
            if not key or len(key) > idempotency.MAX_KEY_LENGTH:
                raise exceptions.ValidationError(
                    {idempotency.HEADER: ["Use a non-empty key of at most 255 characters."]}
                )
            claimed = idempotency.idempotency_claim(api_key=self.api_key, key=key, request=request)
            if isinstance(claimed, idempotency.StoredResponse):
                raise _Replay(claimed)
            self.idempotency_record = claimed

    def dispatch(self, request, *args, **kwargs):
        # DRF's dispatch, with the handler and the stored idempotent response in one transaction.
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            self.initial(request, *args, **kwargs)
            handler = getattr(self, request.method.lower(), None)
            if request.method.lower() not in self.http_method_names or handler is None:
                handler = self.http_method_not_allowed
            if self.idempotency_record is None:
                response = handler(request, *args, **kwargs)
            else:
                with transaction.atomic():
                    response = handler(request, *args, **kwargs)
                    self._store_idempotent(response)
        except Exception as exc:  # DRF's contract: every exception is answered
            try:
                response = self.handle_exception(exc)
            except Exception:
                # A crash (500): forget the claim so the client's retry runs the request again.
                if self.idempotency_record is not None:
                    idempotency.idempotency_release(self.idempotency_record)
                raise
            if self.idempotency_record is not None:
                self._store_idempotent(response)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response

    def _store_idempotent(self, response):
        record, self.idempotency_record = self.idempotency_record, None
        if response.status_code >= 500:
            idempotency.idempotency_release(record)
            return
        body = JSONRenderer().render(response.data) if isinstance(response, Response) else b""
        idempotency.idempotency_complete(record, status=response.status_code, body=body)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            body = exc.stored.body
            if exc.stored.status >= 400:  # an error quotes the id of the request it answers
                error = json.loads(body)
                error["error"]["request_id"] = self.request._request.request_id
                body = json.dumps(error).encode()
            response = HttpResponse(body, status=exc.stored.status, content_type="application/json")
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        state = self.rate_limit
        if state is None and self.api_key is not None:
            entitlements = self.api_key.workspace.entitlements
            if entitlements.api:  # authenticated but refused before counting: show, don't count
                state = ratelimit.peek(request, entitlements)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        return response


class ApiView(ApiViewMixin, APIView):
    """Base class for API views."""


class ApiIndexView(ApiView):
    """``GET /api/v1/``: who you are, your limits, and where to read more."""

    @extend_schema(
        summary="API index",
        description="The key's workspace, its plan and limits, and links to the reference.",
        responses=ApiIndexSerializer,
    )
    def get(self, request):
        workspace = self.api_key.workspace
        entitlements = workspace.entitlements
        return Response(
            {
                "api_version": "v1",
                "workspace": {"slug": workspace.slug, "name": workspace.name},
                "api_key": {
                    "name": self.api_key.name,
                    "prefix": self.api_key.prefix,
                    "access": self.api_key.access,
                },
                "plan": {
                    "name": entitlements.plan.value,
                    "daily_limit": entitlements.daily_limit,
                    "burst_limit": entitlements.burst_limit,
                    "webhooks": entitlements.webhooks,
                },
                "resources": {
                    name: request.build_absolute_uri(reverse(f"api:{name}"))
                    for name in mounted_resources()
                },
                "schema": request.build_absolute_uri(reverse("api:schema")),
                "documentation": request.build_absolute_uri(reverse("api:docs")),
            }
        )


class ApiBaseUrlView(ApiIndexView):
    """The base URL without its trailing slash; documented once, as ``/api/v1/``."""

    schema = None


def _html_or_api(default_view, status_code: int, message: str):
    """A site-wide error handler answering in the API's format under /api/ and as the usual
    HTML page elsewhere (DisallowedHost, URLs no route matches, crashes outside the API)."""

    def handler(request, *args, **kwargs):
        if is_api_path(request.path):
            return error_response(request, status_code, ERROR_CODES[status_code], message)
        return default_view(request, *args, **kwargs)

    return handler


bad_request = _html_or_api(defaults.bad_request, 400, "The request could not be understood.")
page_not_found = _html_or_api(defaults.page_not_found, 404, "Not found.")
server_error = _html_or_api(
    defaults.server_error,
    500,
    "Something went wrong on our side. Quote the request_id if you contact support.",
)


@csrf_exempt
@login_not_required
def api_not_found(request, *args, **kwargs):
    """Unknown routes under /api/ answer in the API's error format."""
    return error_response(request, 404, "not_found", f"No API endpoint at {request.path}.")
