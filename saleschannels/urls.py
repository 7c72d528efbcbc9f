"""The Channels pages and Settings → Channels (mounted in salync/urls.py)."""

from django.urls import path

from saleschannels import views

app_name = "saleschannels"

urlpatterns = [
    path("channels/", views.channel_overview, name="channels"),
    path("channels/listings/", views.listings, name="listings"),
    path("channels/<int:pk>/", views.channel_detail, name="channel"),
    path("channels/<int:pk>/publish/", views.listing_publish, name="publish"),
    path("channels/<int:pk>/sync/", views.channel_sync, name="sync"),
    path("settings/channels/", views.channels, name="list"),
    path("settings/channels/<int:pk>/edit/", views.channel_edit, name="edit"),
]
