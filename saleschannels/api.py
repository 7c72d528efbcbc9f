"""The channels endpoints under /api/v1/ (SPEC §5.4): channels (list, retrieve), their listings
(list, publish) and listings across channels. Thin views on ``api.generics``."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view

from api.generics import WorkspaceDetailView, WorkspaceListView
from inventory import selectors
from saleschannels import queries, services
from saleschannels import representations as rep
from saleschannels.filters import ChannelFilter, ChannelListingFilter, ListingFilter
from saleschannels.schema import ChannelSerializer, ListingSerializer
from saleschannels.serializers import ListingPublishSerializer


class ChannelView:
    serializer_class = ChannelSerializer
    queryset_builder = staticmethod(queries.channel_queryset)
    representer = rep.CHANNELS


@extend_schema_view(
    get=extend_schema(
        summary="List channels",
        description="Channels are connected in Settings → Channels. `simulated` channels "
        "apply their marketplace's listing rules without a live connection.",
    )
)
class ChannelListView(ChannelView, WorkspaceListView):
    filterset_class = ChannelFilter


@extend_schema_view(get=extend_schema(summary="Retrieve a channel"))
class ChannelDetailView(ChannelView, WorkspaceDetailView):
    pass


class ListingView:
    serializer_class = ListingSerializer
    queryset_builder = staticmethod(queries.listing_queryset)
    representer = rep.LISTINGS


@extend_schema_view(
    get=extend_schema(summary="List a channel's listings"),
    post=extend_schema(
        summary="Publish a variant on the channel",
        request=ListingPublishSerializer,
        responses={201: ListingSerializer},
        description="The listing starts `pending`; the sync publishes it through the channel's "
        "connector, which applies the marketplace's rules (`error` with the reason if they "
        "refuse it), and pushes its `available` quantity. 409 `already_listed` when the "
        "variant is already listed on this channel.",
    ),
)
class ChannelListingListView(ListingView, WorkspaceListView):
    filterset_class = ChannelListingFilter

    def get_channel(self):
        return get_object_or_404(queries.channel_queryset(self.workspace), pk=self.kwargs["pk"])

    def scoped_queryset(self):
        return super().scoped_queryset().filter(channel=self.get_channel())

    def post(self, request, pk):
        channel = self.get_channel()
        data = self.parse(ListingPublishSerializer)
        [variant] = selectors.variants_resolve(workspace=self.workspace, items=[data], lines=False)
        return self.created(services.listing_publish(channel=channel, variant=variant).pk)


@extend_schema_view(
    get=extend_schema(
        summary="List listings across channels",
        description="`state=error` lists the listings a marketplace refused, with the reason.",
    )
)
class ListingListView(ListingView, WorkspaceListView):
    filterset_class = ListingFilter
