"""One queryset builder per resource, scoped to the workspace (as ``inventory.queries``).

A listing's ``available`` (SPEC §5.4: on hand summed over the channel's locations, all of them
when it names none, minus its stock buffer, never below 0) is an annotation of the listing
queryset: a page of listings reads it in the page's own query, and the sync reads it the same
way, so the API, the events and the pushes agree on one definition.
"""

from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from inventory.models import StockLevel
from saleschannels.models import Channel, Listing, ListingState

ChannelLocation = Channel.locations.through


def _on_hand_for_channel():
    """Per listing row: the variant's on hand over the listing's channel's locations."""
    chosen = ChannelLocation.objects.filter(channel_id=OuterRef(OuterRef("channel_id")))
    levels = (
        StockLevel.objects.filter(variant_id=OuterRef("variant_id"))
        .filter(Q(Exists(chosen.filter(location_id=OuterRef("location_id")))) | ~Q(Exists(chosen)))
        .order_by()
        .values("variant_id")
        .annotate(total=Sum("on_hand"))
        .values("total")
    )
    return Coalesce(Subquery(levels, output_field=IntegerField()), Value(0))


def available_expression():
    return Greatest(_on_hand_for_channel() - F("channel__stock_buffer"), Value(0))


def with_available(listings: QuerySet) -> QuerySet:
    return listings.annotate(available=available_expression())


def channel_queryset(workspace) -> QuerySet:
    return Channel.objects.filter(workspace=workspace)


def listing_queryset(workspace) -> QuerySet:
    return with_available(Listing.objects.filter(workspace=workspace))


def listings_needing_sync(listings: QuerySet) -> QuerySet:
    """Of annotated ``listings``, those a sync has work for: not yet published or in error,
    an archived variant still offered or an unarchived one not offered, or a quantity the
    channel was not told."""
    archived = Q(variant__status="archived")
    return listings.filter(
        Q(state__in=[ListingState.PENDING, ListingState.ERROR])
        | (archived & ~Q(state=ListingState.INACTIVE))
        | (~archived & Q(state=ListingState.INACTIVE))
        | Q(state=ListingState.ACTIVE, published_quantity__isnull=True)
        | (Q(state=ListingState.ACTIVE) & ~Q(published_quantity=F("available")))
    )
