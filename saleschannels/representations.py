"""The one shape of channels and listings: what the API answers and what the
``channel_listing.error`` event carries, built from rows as ``inventory.representations`` does
(one query per level for a whole page, joined in Python into plain dicts)."""

from collections import defaultdict

from django.db.models import Count

from inventory.representations import Representer, datetime_writer
from saleschannels.connectors import registry
from saleschannels.models import Listing, ListingState
from saleschannels.queries import ChannelLocation

# --- Channels ----------------------------------------------------------------------------------

CHANNEL_COLUMNS = (
    "id", "type", "name", "status", "status_message", "last_synced_at", "stock_buffer",
    "created_at", "updated_at",
)  # fmt: skip


def _listing_counts(channel_ids: list[int]) -> dict[int, dict[str, int]]:
    """Listings per state for each channel, every state present: one grouped query."""
    counts = {pk: dict.fromkeys(ListingState.values, 0) for pk in channel_ids}
    grouped = (
        Listing.objects.filter(channel_id__in=channel_ids)
        .order_by()
        .values_list("channel_id", "state")
        .annotate(n=Count("id"))
    )
    for channel_id, state, n in grouped:
        counts[channel_id][state] = n
    return counts


def _location_ids(channel_ids: list[int]) -> dict[int, list[int]]:
    chosen = defaultdict(list)
    rows = (
        ChannelLocation.objects.filter(channel_id__in=channel_ids)
        .order_by("location_id")
        .values_list("channel_id", "location_id")
    )
    for channel_id, location_id in rows:
        chosen[channel_id].append(location_id)
    return chosen


def channels_represent(rows: list[dict]) -> list[dict]:
    if not rows:
        return []
    when = datetime_writer()
    ids = [row["id"] for row in rows]
    counts, locations = _listing_counts(ids), _location_ids(ids)
    return [
        {
            "id": row["id"],
            "type": row["type"],
            "name": row["name"],
            "status": row["status"],
            "status_message": row["status_message"],
            "last_synced_at": row["last_synced_at"] and when(row["last_synced_at"]),
            "simulated": registry.is_simulated(row["type"]),
            "listing_counts": counts[row["id"]],
            "location_ids": locations.get(row["id"], []),
            "stock_buffer": row["stock_buffer"],
            "created_at": when(row["created_at"]),
            "updated_at": when(row["updated_at"]),
        }
        for row in rows
    ]


CHANNELS = Representer(CHANNEL_COLUMNS, channels_represent)

# --- Listings ----------------------------------------------------------------------------------

# ``available`` is the listing queryset's annotation (saleschannels.queries). It comes last:
# core.sql.CompiledQuery (the API's detail lookups) names annotations after the columns.
LISTING_COLUMNS = (
    "id", "channel_id", "variant_id", "variant__sku", "external_id", "state", "error_message",
    "published_quantity", "quantity_synced_at", "created_at", "updated_at", "available",
)  # fmt: skip


def listings_represent(rows: list[dict]) -> list[dict]:
    when = datetime_writer()
    return [
        {
            "id": row["id"],
            "channel_id": row["channel_id"],
            "variant_id": row["variant_id"],
            "sku": row["variant__sku"],
            "external_id": row["external_id"] or None,
            "state": row["state"],
            "error_message": row["error_message"],
            "available": row["available"],
            "published_quantity": row["published_quantity"],
            "quantity_synced_at": row["quantity_synced_at"] and when(row["quantity_synced_at"]),
            "created_at": when(row["created_at"]),
            "updated_at": when(row["updated_at"]),
        }
        for row in rows
    ]


LISTINGS = Representer(LISTING_COLUMNS, listings_represent)
