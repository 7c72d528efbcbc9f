import uuid

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from core.net import is_api_path


class RequestIdMiddleware:
    """Give every request an id, answered in ``X-Request-Id`` and quoted in API errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = f"req_{uuid.uuid4().hex}"
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response


class DebugNotFoundPageMiddleware:
    """With DEBUG on, Django answers a 404 with its technical page, which lists every URL
    pattern; show the product's own 404 page instead. Under /api/ the API's JSON 404 stays.
    With DEBUG off, ``handler404`` already renders the same template."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No resolver match: no route matched, and Django rendered its technical 404.
        if (
            settings.DEBUG
            and response.status_code == 404
            and request.resolver_match is None
            and not is_api_path(request.path)
        ):
            return _not_found_page(request)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404) and not is_api_path(request.path):
            return _not_found_page(request)
        return None


def _not_found_page(request):
    return render(request, "404.html", status=404)
