"""TEST-ONLY URLconf: the real one, plus one more app's resources mounted under /api/v1/, as
``salync.urls`` mounts every app's ``api_urls``."""

from django.urls import include, path, re_path
from rest_framework.response import Response

from api.generics import WorkspaceView
from api.routing import NAMESPACE, route
from api.views import ApiBaseUrlView, api_not_found
from salync import urls as salync_urls


class GadgetListView(WorkspaceView):
    def get(self, request):
        return Response({"results": [], "next": None, "previous": None})


gadget_urls = [route("gadgets", GadgetListView.as_view(), "gadgets", resource=True)]

urlpatterns = [
    path("api/v1/", include(([*salync_urls.API_V1, path("", include(gadget_urls))], NAMESPACE))),
    re_path(r"^api/v1\Z", ApiBaseUrlView.as_view()),
    re_path(r"^api(?:/[\s\S]*)?\Z", api_not_found),
]
