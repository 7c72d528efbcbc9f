"""Settings → Channels pages (mounted in salync/urls.py)."""

from django.urls import path

from saleschannels import views

app_name = "saleschannels"

urlpatterns = [
    path("settings/channels/", views.channels, name="list"),
    path("settings/channels/<int:pk>/edit/", views.channel_edit, name="edit"),
]
