"""Settings → Webhooks pages (mounted in salync/urls.py)."""

from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks/", views.endpoints, name="list"),
    path("settings/webhooks/<int:pk>/", views.endpoint_detail, name="detail"),
    path("settings/webhooks/<int:pk>/edit/", views.endpoint_edit, name="edit"),
    path("settings/webhooks/<int:pk>/delete/", views.endpoint_delete, name="delete"),
    path("settings/webhooks/<int:pk>/rotate-secret/", views.endpoint_rotate_secret, name="rotate"),
    path("settings/webhooks/<int:pk>/secret/", views.endpoint_reveal_secret, name="reveal"),
    path("settings/webhooks/<int:pk>/enable/", views.endpoint_enable, name="enable"),
    path("settings/webhooks/<int:pk>/disable/", views.endpoint_disable, name="disable"),
    path("settings/webhooks/<int:pk>/test/", views.endpoint_send_test, name="send_test"),
    path(
        "settings/webhooks/<int:pk>/retry-failed/",
        views.deliveries_retry_failed,
        name="retry_failed",
    ),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/",
        views.delivery_resend,
        name="resend",
    ),
]
