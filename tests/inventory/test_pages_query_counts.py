"""Query counts pinned for the Products and Stock list pages: a page of 200 rows (shown 50 at a
time) costs exactly what a page of 2 does, so an N+1 shows at once. Data is laid down with
bulk_create: only the reads are under test."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from inventory.models import Location, Product, SourceType, StockAdjustment, StockLevel, Variant
from inventory.services import location_default
from tests.factories import MembershipFactory, make_workspace
from tests.pages import measure

pytestmark = pytest.mark.django_db

# Session, user and membership come first on every page, then the workspace switcher; then
# what each page reads itself. Raise a number only with a reason; a lower one is welcome.
PAGE_QUERIES = 4
PINNED = {
    "products": PAGE_QUERIES + 2,  # the count, the page (variants and on hand as subqueries)
    "levels": PAGE_QUERIES + 3,  # the locations (filter), the count, the page
    "history": PAGE_QUERIES + 3,  # the locations (filter), the count, the page
    "product": PAGE_QUERIES + 4,  # the product, its levels, its variants, the ledger by day
}


def build(name: str, *, products: int):
    """``products`` products of one variant each, stocked at two locations, with a ledger
    entry per level (every other one from a purchase order): ``2 * products`` levels and
    entries. Returns a client of an admin of the workspace (who gets the adjust dialogs)."""
    workspace = make_workspace(name)
    places = [location_default(workspace), Location.objects.create(workspace=workspace, name="B")]
    made = Product.objects.bulk_create(
        [Product(workspace=workspace, name=f"Product {n:03d}") for n in range(products)]
    )
    variants = Variant.objects.bulk_create(
        [
            Variant(workspace=workspace, product=product, sku=f"SKU-{n:03d}", reorder_point=5)
            for n, product in enumerate(made)
        ]
    )
    levels = StockLevel.objects.bulk_create(
        [
            StockLevel(workspace=workspace, variant=variant, location=place, on_hand=3)
            for variant in variants
            for place in places
        ]
    )
    StockAdjustment.objects.bulk_create(
        [
            StockAdjustment(
                workspace=workspace,
                level=level,
                variant=level.variant,
                location=level.location,
                quantity=3,
                on_hand_after=3,
                reason="received",
                source_type=SourceType.PURCHASE_ORDER if n % 2 else SourceType.USER,
                source_id=n,
                source_name=f"PO-{n}" if n % 2 else "ann@example.com",
            )
            for n, level in enumerate(levels)
        ]
    )
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=Role.ADMIN).user)
    return client


@pytest.fixture
def clients():
    return build("Small", products=2), build("Large", products=200)


def test_the_products_list_of_200_costs_what_2_do(clients):
    small, large = clients
    few, small_sql = measure(small, "/products/")
    many, large_sql = measure(large, "/products/?q=product")

    assert few.count('/">Product ') == 2
    assert many.count('/">Product ') == 50
    assert "Page 1 of 4" in many
    assert len(large_sql) == len(small_sql) == PINNED["products"], "\n\n".join(large_sql)


def test_the_levels_list_of_400_costs_what_2_do(clients):
    small, large = clients
    few, small_sql = measure(small, "/stock/")
    many, large_sql = measure(large, "/stock/?below_reorder_point=on&page=2")

    assert few.count(">Adjust stock</a>") == 4
    assert many.count(">Adjust stock</a>") == 50
    assert many.count("<dialog id=") == 50
    assert "Page 2 of 8" in many
    assert len(large_sql) == len(small_sql) == PINNED["levels"], "\n\n".join(large_sql)


def test_the_history_of_400_entries_costs_what_2_do(clients):
    small, large = clients
    few, small_sql = measure(small, "/stock/history/")
    many, large_sql = measure(large, "/stock/history/?page=3")

    assert few.count("<time datetime=") == 4
    assert many.count("<time datetime=") == 50
    assert many.count('">Purchase order PO-') == 25
    assert len(large_sql) == len(small_sql) == PINNED["history"], "\n\n".join(large_sql)


def test_the_product_page_costs_the_same_with_a_month_of_movements():
    """The chart's 30 days come from one grouped query, not one per day or per entry."""
    client = build("Chart", products=2)
    quiet, busy = Product.objects.filter(workspace__name="Chart").order_by("pk")
    level = StockLevel.objects.filter(variant__product=busy).first()
    now = timezone.now()
    StockAdjustment.objects.bulk_create(
        [
            StockAdjustment(
                workspace_id=level.workspace_id,
                level=level,
                variant_id=level.variant_id,
                location_id=level.location_id,
                quantity=1,
                on_hand_after=3,
                reason="count",
                source_type=SourceType.SYSTEM,
                created_at=now - timedelta(hours=6 * n),
            )
            for n in range(120)
        ]
    )

    _, quiet_sql = measure(client, f"/products/{quiet.pk}/")
    page, busy_sql = measure(client, f"/products/{busy.pk}/")

    assert page.count("<tr><td><time datetime=") == 30
    assert len(busy_sql) == len(quiet_sql) == PINNED["product"], "\n\n".join(busy_sql)
