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
from api.authentication import ApiKeyAuthentication
from api.errors import ERROR_CODES, RateLimitExceeded, error_response, render_error
from api.middleware import is_api_path
from api.routing import mounted_resources
from api.serializers import ApiIndexSerializer
from apikeys.services import api_key_confirmed


class _Replay(Exception):
    def __init__(self, stored: idempotency.StoredResponse):
        self.stored = stored


class ApiViewMixin:
    """What every API view shares: key authentication, plan and scope checks, per-key rate
    limits with their headers on every authenticated response, and ``Idempotency-Key``."""

    # No OPTIONS: DRF's metadata described every field as read-only; the OpenAPI schema is
    # the description of each endpoint. OPTIONS answers 405, and Allow does not list it.
    http_method_names = [name for name in APIView.http_method_names if name != "options"]

    api_key = None
    rate_limit: ratelimit.RateLimitState | None = None
    idempotency_record = None
    _idempotency_claim = None  # the claim whose lock this request holds, until dispatch ends

    def perform_authentication(self, request):
        super().perform_authentication(request)
        self.api_key = request.auth

    def _authenticate_again(self, request):
        """The key read from the database: the process's copy of it was stale."""
        _user, request.auth = ApiKeyAuthentication().authenticate(request, fresh=True)
        self.api_key = request.auth

    def check_permissions(self, request):
        # The key comes from the process's copy, unconfirmed: a refusal is confirmed first.
        try:
            super().check_permissions(request)
        except exceptions.APIException:
            if self.api_key is None or api_key_confirmed(self.api_key):
                raise
            self._authenticate_again(request)
            super().check_permissions(request)

    def check_throttles(self, request):
        # Counting confirms the process's copy of the key. A stale copy counts nothing: the key
        # is read again (it may be revoked by now, or its plan changed) and checked again.
        for _attempt in range(3):
            self.rate_limit = ratelimit.consume(self.api_key)
            if self.rate_limit is not None:
                break
            self._authenticate_again(request)
            super().check_permissions(request)
        else:
            raise RuntimeError("The key's generations changed at every attempt to count.")
        # On the Django request too, for the 500 that ApiTransportMiddleware answers.
        request._request.rate_limit_state = self.rate_limit
        refused = self.rate_limit.refused_by
        if refused is not None:
            raise RateLimitExceeded(
                window="daily quota" if refused.name == "daily" else "burst limit (per minute)",
                limit=refused.limit,
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
            self.idempotency_record = self._idempotency_claim = claimed

    def dispatch(self, request, *args, **kwargs):
        # DRF's dispatch, with the handler and the stored idempotent response in one transaction.
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
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
                    # A crash (500): forget the claim so the client's retry runs the request
                    # again, and leave the rate limits for the middleware's answer.
                    if self.idempotency_record is not None:
                        idempotency.idempotency_release(self.idempotency_record)
                    self._rate_limit_state(request)
                    raise
                if self.idempotency_record is not None:
                    self._store_idempotent(response)
            self.response = self.finalize_response(request, response, *args, **kwargs)
            return self.response
        finally:
            # Every path, crashes included: the connection outlives the request.
            if self._idempotency_claim is not None:
                idempotency.idempotency_unlock(self._idempotency_claim)

    def _store_idempotent(self, response):
        record, self.idempotency_record = self.idempotency_record, None
        if response.status_code >= 500:
            idempotency.idempotency_release(record)
            return
        # A view's Response is rendered later; an error (error_response) already is.
        body = (
            JSONRenderer().render(response.data)
            if isinstance(response, Response)
            else response.content
        )
        idempotency.idempotency_complete(record, status=response.status_code, body=body)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            body = exc.stored.body
            if exc.stored.status >= 400:  # an error quotes the id of the request it answers
                error = json.loads(body)
                error["error"]["request_id"] = self.request._request.request_id
                body = render_error(error)
            response = HttpResponse(body, status=exc.stored.status, content_type="application/json")
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        state = self._rate_limit_state(request)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        return response

    def _rate_limit_state(self, request) -> ratelimit.RateLimitState | None:
        """The state this authenticated request's response shows, also left on the Django
        request for ApiTransportMiddleware."""
        if self.rate_limit is None and self.api_key is not None:
            entitlements = self.api_key.workspace.entitlements
            if entitlements.api:  # authenticated but refused before counting: show, don't count
                self.rate_limit = ratelimit.peek(request, entitlements)
                request._request.rate_limit_state = self.rate_limit
        return self.rate_limit


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


def _html_or_api(default_view, status_code: int):
    """A site-wide error handler answering in the API's format under /api/ and as the usual
    HTML page elsewhere (DisallowedHost, URLs no route matches, crashes outside the API)."""

    def handler(request, *args, **kwargs):
        if is_api_path(request.path):
            return error_response(request, status_code, ERROR_CODES[status_code])
        return default_view(request, *args, **kwargs)

    return handler


bad_request = _html_or_api(defaults.bad_request, 400)
page_not_found = _html_or_api(defaults.page_not_found, 404)
server_error = _html_or_api(defaults.server_error, 500)


@csrf_exempt
@login_not_required
def api_not_found(request, *args, **kwargs):
    """Unknown routes under /api/ answer in the API's error format, as a missing object does."""
    return error_response(request, 404, "not_found")
