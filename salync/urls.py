from django.contrib import admin
from django.urls import include, path, re_path

from api.routing import NAMESPACE
from api.views import ApiBaseUrlView, api_not_found

admin.site.site_header = "Salync staff"
admin.site.site_title = "Salync staff"

# /api/v1/: the front door's own routes, then every app's resources, in one namespace.
API_V1 = [
    path("", include("api.urls")),
    path("", include("inventory.api_urls")),
    path("", include("purchasing.api_urls")),
    path("", include("saleschannels.api_urls")),
    path("", include("webhooks.api_urls")),
]

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("", include("apikeys.urls")),
    path("", include("inventory.urls")),
    path("", include("purchasing.urls")),
    path("", include("saleschannels.urls")),
    path("", include("webhooks.urls")),
    path("api/v1/", include((API_V1, NAMESPACE))),
    re_path(r"^api/v1\Z", ApiBaseUrlView.as_view()),
    re_path(r"^api(?:/[\s\S]*)?\Z", api_not_found),
    path("admin/", admin.site.urls),
]

handler400 = "api.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "api.views.page_not_found"
handler500 = "api.views.server_error"
