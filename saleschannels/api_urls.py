"""saleschannels's resources under /api/v1/ (mounted in salync/urls.py)."""

from api.routing import ID, route
from saleschannels import api

urlpatterns = [
    route("channels", api.ChannelListView.as_view(), "channels", resource=True),
    route(rf"channels/{ID}", api.ChannelDetailView.as_view(), "channel"),
    route(rf"channels/{ID}/listings", api.ChannelListingListView.as_view(), "channel-listings"),
    route("listings", api.ListingListView.as_view(), "listings", resource=True),
]
