from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.views import ApiIndexView

app_name = "api"


def route(pattern: str, view, name: str):
    """API paths accept an optional trailing slash (SPEC §5)."""
    return re_path(rf"^{pattern}/?$" if pattern else r"^$", view, name=name)


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
