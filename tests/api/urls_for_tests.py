"""TEST-ONLY URLconf: the real routes plus a few throwaway API endpoints.

The API has no POST endpoint of its own yet, so the tests of idempotency, scopes and error
shapes on writes use these. Nothing outside ``tests/`` imports this module; select it per test
with ``@pytest.mark.urls("tests.api.urls_for_tests")``.
"""

import time

from django.http import Http404
from django.urls import path
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Workspace
from api.views import ApiView
from core.errors import InvalidState
from portal.services import workspace_setup
from salync import urls as salync_urls

WIDGETS = "/api/v1/_test/widgets"
CRASH = "/api/v1/_test/crash"
MISSING = "/api/v1/_test/missing"
CONFLICT = "/api/v1/_test/conflict"
ACCENTED = "/api/v1/_test/accented"
ACCENTED_MESSAGE = "Déjà archivé ✓: rien à changer."

CRASH_MESSAGE = "kaboom: secret internal detail 7f3a"

# Set by a test (monkeypatch) to make the next write fail after it wrote its row.
FAIL_AFTER_WRITE = False
# Set by a test (monkeypatch) to a function the next write calls after it wrote its row: it
# holds the request in flight for as long as the test needs.
HOLD = None


class _ItemSerializer(serializers.Serializer):
    sku = serializers.CharField()


class WidgetSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    items = serializers.ListField(child=_ItemSerializer(), required=False)
    slow = serializers.FloatField(required=False, min_value=0, max_value=5)


class WidgetView(ApiView):
    """POST writes one real row (a Workspace), so tests can count executions."""

    def post(self, request):
        serializer = WidgetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        workspace = workspace_setup(name=data["name"], owner=None)
        if data.get("slow"):
            time.sleep(data["slow"])  # still inside the request: a retry arrives meanwhile
        if HOLD is not None:
            HOLD()
        if FAIL_AFTER_WRITE:
            raise RuntimeError(CRASH_MESSAGE)
        return Response(
            {
                "id": workspace.pk,
                "slug": workspace.slug,
                "name": workspace.name,
                "items": [item["sku"] for item in data.get("items", [])],
            },
            status=status.HTTP_201_CREATED,
        )


class CrashView(ApiView):
    def get(self, request):
        raise RuntimeError(CRASH_MESSAGE)


class MissingView(ApiView):
    def get(self, request):
        raise Http404("No widget here.")


class ConflictView(ApiView):
    def post(self, request):
        raise InvalidState()


class AccentedConflictView(ApiView):
    """A domain error whose message is not ASCII."""

    def post(self, request):
        raise InvalidState(ACCENTED_MESSAGE)


def widget_rows(name: str) -> int:
    return Workspace.objects.filter(name=name).count()


urlpatterns = [
    path(WIDGETS.lstrip("/"), WidgetView.as_view()),
    path(CRASH.lstrip("/"), CrashView.as_view()),
    path(MISSING.lstrip("/"), MissingView.as_view()),
    path(CONFLICT.lstrip("/"), ConflictView.as_view()),
    path(ACCENTED.lstrip("/"), AccentedConflictView.as_view()),
    *salync_urls.urlpatterns,
]

handler400 = salync_urls.handler400
handler403 = salync_urls.handler403
handler404 = salync_urls.handler404
handler500 = salync_urls.handler500
