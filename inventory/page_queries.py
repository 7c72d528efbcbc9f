"""The reads of the Products and Stock pages. Each costs a fixed number of queries whatever the
number of rows (pinned in tests/inventory/test_pages_query_counts.py): rows come as plain dicts
with what they show joined or annotated in the same query."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404

from inventory import queries
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant

PAGE_SIZE = 50
HISTORY_DAYS = 30


def _paginate(rows, page_number) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(page_number)


def _per_product(queryset, aggregate):
    """``aggregate`` of ``queryset``'s rows for the outer product, as a subquery (0 for none)."""
    grouped = queryset.order_by().values("product_ref").annotate(value=aggregate).values("value")
    return Coalesce(Subquery(grouped, output_field=IntegerField()), 0)


def products_page(workspace, *, search: str = "", status: str = "active", page_number=None) -> Page:
    """The products matching the search (name or a variant's SKU) and status, by name: each with
    its number of variants and its units on hand at every location."""
    products = queries.product_queryset(workspace)
    if status != "all":
        products = products.filter(status=status)
    if search:
        # As the API's ``q=``: a union of two scans (names, SKUs), not an OR over a join.
        by_name = Product.objects.filter(workspace=workspace, name__icontains=search)
        by_sku = Variant.objects.filter(workspace=workspace, sku__icontains=search)
        ids = by_name.order_by().values("id").union(by_sku.order_by().values("product_id"))
        products = products.filter(pk__in=ids)
    variants = Variant.objects.filter(product_id=OuterRef("pk")).annotate(product_ref=F("product"))
    levels = StockLevel.objects.filter(variant__product_id=OuterRef("pk")).annotate(
        product_ref=F("variant__product")
    )
    rows = (
        products.annotate(
            variant_count=_per_product(variants, Count("pk")),
            on_hand=_per_product(levels, Sum("on_hand")),
        )
        .order_by("name", "pk")
        .values("pk", "name", "status", "variant_count", "on_hand")
    )
    return _paginate(rows, page_number)


def product_get(workspace, pk: int) -> Product:
    """The workspace's product ``pk``; another workspace's answers 404 as an unknown id does."""
    product = get_object_or_404(queries.product_queryset(workspace), pk=pk)
    product.workspace = workspace  # the one it was looked up in: no query to load it again
    return product


def product_variants(product: Product) -> list[Variant]:
    """The product's variants, oldest first (the order the edit form's rows follow)."""
    return list(queries.variant_queryset(product.workspace).filter(product=product).order_by("pk"))


def product_levels(product: Product) -> list[dict]:
    """Every level of the product's variants: SKU, location, on hand and incoming."""
    return list(
        queries.stock_level_queryset(product.workspace)
        .filter(variant__product=product)
        .order_by("variant_id", "location_id")
        .values("pk", "on_hand", "incoming", "variant__sku", "variant__name", "location__name")
    )


@dataclass(frozen=True)
class Day:
    day: date
    on_hand: int


def on_hand_history(product: Product, *, on_hand_now: int, today: date) -> list[Day]:
    """The product's on hand at the end of each of the last ``HISTORY_DAYS`` UTC days, today
    last, in one query: the ledger's net change per day, unwound backwards from what is on hand
    now (a day without movements carries the previous day's figure)."""
    first = today - timedelta(days=HISTORY_DAYS - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    changes = dict(
        StockAdjustment.objects.filter(
            workspace_id=product.workspace_id, variant__product=product, created_at__gte=start
        )
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .order_by()
        .values("day")
        .annotate(change=Sum("quantity"))
        .values_list("day", "change")
    )
    days, on_hand = [], on_hand_now
    for back in range(HISTORY_DAYS):
        day = today - timedelta(days=back)
        days.append(Day(day, on_hand))
        on_hand -= changes.get(day, 0)  # what the day before ended with
    return days[::-1]


def locations(workspace) -> list[Location]:
    """The workspace's locations, for the filters."""
    return list(queries.location_queryset(workspace).order_by("name"))


def levels_page(
    workspace,
    *,
    location_id: int | None = None,
    below_reorder_point: bool = False,
    page_number=None,
) -> Page:
    """The stock levels by SKU, then location; optionally at one location, or only those below
    their variant's reorder point (the Overview's "Below reorder point" link)."""
    levels = queries.stock_level_queryset(workspace)
    if location_id:
        levels = levels.filter(location_id=location_id)
    if below_reorder_point:
        levels = levels.filter(on_hand__lt=F("variant__reorder_point"))
    rows = levels.order_by("variant__sku", "location_id").values(
        "pk",
        "on_hand",
        "incoming",
        "variant_id",
        "variant__sku",
        "variant__name",
        "variant__reorder_point",
        "variant__product_id",
        "variant__product__name",
        "location_id",
        "location__name",
    )
    return _paginate(rows, page_number)


def level_get(workspace, pk: int) -> StockLevel:
    """The workspace's level ``pk`` with its variant, product and location."""
    levels = queries.stock_level_queryset(workspace).select_related("variant__product", "location")
    return get_object_or_404(levels, pk=pk)


def history_page(
    workspace,
    *,
    variant_id: int | None = None,
    sku: str = "",
    location_id: int | None = None,
    page_number=None,
) -> Page:
    """The stock ledger, newest first, optionally for one variant (by id or SKU) or location."""
    entries = queries.stock_adjustment_queryset(workspace)
    if variant_id:
        entries = entries.filter(variant_id=variant_id)
    if sku:
        # As the API's ``sku=``: the variant through the unique (workspace, sku) index.
        variant = Variant.objects.filter(workspace=workspace, sku=sku).order_by().values("id")
        entries = entries.filter(variant_id__in=variant)
    if location_id:
        entries = entries.filter(location_id=location_id)
    rows = entries.order_by("-pk").values(
        "pk",
        "created_at",
        "quantity",
        "on_hand_after",
        "reason",
        "note",
        "source_type",
        "source_id",
        "source_name",
        "variant__sku",
        "variant__product_id",
        "variant__product__name",
        "location__name",
    )
    return _paginate(rows, page_number)
