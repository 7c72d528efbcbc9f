"""The front door's own routes under /api/v1/: the index, the schema and the reference. Each
domain app mounts its resources from its own ``api_urls`` in ``salync.urls``."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.routing import route
from api.views import ApiIndexView

urlpatterns = [
    route("", ApiIndexView.as_view(), "index"),
    route("schema", SpectacularAPIView.as_view(), "schema"),
    route(
        "docs",
        # Swagger UI styles itself inline; only this page relaxes style-src for it.
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        "docs",
    ),
]
