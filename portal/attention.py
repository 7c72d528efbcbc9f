"""What the Overview counts: what needs the seller's attention today, and which first steps a
new workspace has taken. All of it in one query: a scalar subquery per figure on the
workspace's row, each through a (workspace, …) index."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Workspace
from apikeys.models import ApiKey
from inventory.filters import StockLevelFilter
from inventory.models import Product, StockLevel
from purchasing.models import OPEN_STATUSES, PurchaseOrder
from saleschannels.models import Channel, Listing, ListingState
from webhooks.models import Endpoint
from webhooks.page_queries import endpoint_failing


@dataclass(frozen=True)
class Attention:
    below_reorder_point: int
    purchase_orders_due: int
    listings_in_error: int
    failing_endpoints: int
    has_endpoints: bool
    has_product: bool
    has_channel: bool
    has_api_key: bool

    @property
    def needs_attention(self) -> bool:
        return any(
            (
                self.below_reorder_point,
                self.purchase_orders_due,
                self.listings_in_error,
                self.failing_endpoints,
            )
        )


def _count(rows: QuerySet):
    """The number of ``rows`` (filtered on the outer workspace) as a subquery: 0, not NULL,
    when there are none."""
    counted = rows.order_by().values("workspace_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _below_reorder_point(levels: QuerySet) -> QuerySet:
    """The API's ``below_threshold=true`` filter itself, so the Overview, the Stock page's
    "Below reorder point" and the API always agree on what is below."""
    return StockLevelFilter({"below_threshold": "true"}, queryset=levels).qs


def attention(workspace: Workspace, *, now: datetime) -> Attention:
    """The Overview's figures for ``workspace`` at ``now`` (purchase orders are due on their
    expected date, a UTC day), in one query."""
    mine = {"workspace": OuterRef("pk")}
    today = now.astimezone(UTC).date()
    row = (
        Workspace.objects.filter(pk=workspace.pk)
        .annotate(
            below_reorder_point=_count(_below_reorder_point(StockLevel.objects.filter(**mine))),
            purchase_orders_due=_count(
                PurchaseOrder.objects.filter(
                    **mine, status__in=OPEN_STATUSES, expected_date__lte=today
                )
            ),
            listings_in_error=_count(Listing.objects.filter(**mine, state=ListingState.ERROR)),
            failing_endpoints=_count(Endpoint.objects.filter(endpoint_failing(), **mine)),
            has_endpoints=Exists(Endpoint.objects.filter(**mine)),
            has_product=Exists(Product.objects.filter(**mine)),
            has_channel=Exists(Channel.objects.filter(**mine)),
            has_api_key=Exists(ApiKey.objects.filter(**mine)),
        )
        .values(
            "below_reorder_point",
            "purchase_orders_due",
            "listings_in_error",
            "failing_endpoints",
            "has_endpoints",
            "has_product",
            "has_channel",
            "has_api_key",
        )
        .get()
    )
    return Attention(**row)
