"""The reads of the Channels pages and Settings → Channels: channel rows with their listing
counts, one channel, and pages of listings. Each costs a fixed number of queries whatever the
number of rows (pinned in tests/saleschannels/test_page_query_counts.py)."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from inventory.models import Status, Variant
from saleschannels.connectors import registry
from saleschannels.models import Channel, Listing, ListingState
from saleschannels.queries import channel_queryset, listing_queryset

LISTINGS_PAGE_SIZE = 50
STATES = ListingState.values


def _with_counts(channels: QuerySet) -> QuerySet:
    """Each channel with ``<state>_count`` for every listing state, in the channel's query."""
    return channels.defer("credentials").annotate(
        **{f"{state}_count": Count("listings", filter=Q(listings__state=state)) for state in STATES}
    )


def _row(channel: Channel) -> dict:
    counts = {state: getattr(channel, f"{state}_count") for state in STATES}
    return {
        "channel": channel,
        "label": registry.label(channel.type),
        "simulated": registry.is_simulated(channel.type),
        "live": registry.is_live(channel.type),
        "counts": counts,
        "total": sum(counts.values()),
    }


def channel_rows(workspace, *, locations: bool = False) -> list[dict]:
    """Every channel of the workspace by name, with its type's label and its listing counts
    per state (one query), and its locations when asked for (one more)."""
    channels = _with_counts(channel_queryset(workspace)).order_by("name")
    if locations:
        channels = channels.prefetch_related("locations")
    return [_row(channel) for channel in channels]


def channel_get(workspace, pk: int) -> dict:
    """The workspace's channel ``pk`` as a row of ``channel_rows``, with its locations (two
    queries); another workspace's answers 404 as an unknown id does."""
    channels = _with_counts(channel_queryset(workspace)).prefetch_related("locations")
    return _row(get_object_or_404(channels, pk=pk))


def state_counts(workspace) -> dict[str, int]:
    """The workspace's listings per state, all four always present (one query)."""
    counted = dict(
        Listing.objects.filter(workspace=workspace)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {state: counted.get(state, 0) for state in STATES}


def listings_page(
    workspace, *, channel: Channel | None = None, state: str = "", page_number=1
) -> Page:
    """One page of listings, oldest first (a count and the page): each with its channel, its
    variant and product, and what the channel should be offered now (``available``)."""
    rows = listing_queryset(workspace).select_related("channel", "variant__product")
    if channel is not None:
        rows = rows.filter(channel=channel)
    if state:
        rows = rows.filter(state=state)
    return Paginator(rows.order_by("pk"), LISTINGS_PAGE_SIZE).get_page(page_number)


def publishable_variants(channel: Channel) -> QuerySet:
    """The workspace's active variants of active products not yet listed on ``channel``, by
    SKU (archived ones are off sale: listing them would only make an inactive listing)."""
    return (
        Variant.objects.filter(
            workspace_id=channel.workspace_id,
            status=Status.ACTIVE,
            product__status=Status.ACTIVE,
        )
        .exclude(listings__channel=channel)
        .select_related("product")
        .order_by("sku")
    )
