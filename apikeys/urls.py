from django.urls import path

from apikeys import views

app_name = "apikeys"

urlpatterns = [
    path("settings/api-keys/", views.api_keys, name="list"),
    path("settings/api-keys/<int:pk>/rename/", views.api_key_rename_view, name="rename"),
    path("settings/api-keys/<int:pk>/roll/", views.api_key_roll_view, name="roll"),
    path("settings/api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="revoke"),
]
