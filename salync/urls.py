from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Salync staff"
admin.site.site_title = "Salync staff"

urlpatterns = [
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "core.views.permission_denied"
