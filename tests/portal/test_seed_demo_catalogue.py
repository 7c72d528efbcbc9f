"""``seed_demo`` lays down a realistic catalogue through the services, and a second run
changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from accounts.models import Membership, User, Workspace
from core.models import DomainEvent
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from inventory.validators import gtin_is_valid
from purchasing.models import PurchaseOrder


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True  # the built-in demo password is refused with DEBUG off
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return Workspace.objects.get(slug=out.getvalue().splitlines()[0])


def snapshot() -> dict:
    """Every row the demo touches, by table."""
    return {
        "users": list(User.objects.order_by("id").values_list("id", "email")),
        "workspaces": list(Workspace.objects.order_by("id").values_list("id", "slug", "plan")),
        "memberships": list(Membership.objects.order_by("id").values_list("id", "role")),
        "products": list(Product.objects.order_by("id").values_list("id", "name", "updated_at")),
        "variants": list(Variant.objects.order_by("id").values_list("id", "sku", "updated_at")),
        "locations": list(Location.objects.order_by("id").values_list("id", "name")),
        "levels": list(StockLevel.objects.order_by("id").values_list("id", "on_hand")),
        "ledger": StockAdjustment.objects.count(),
        "events": DomainEvent.objects.count(),
    }


def test_seed_demo_creates_a_realistic_catalogue(seeded):
    workspace = seeded
    products = Product.objects.filter(workspace=workspace)
    variants = Variant.objects.filter(workspace=workspace)

    assert workspace.plan == "pro"
    assert products.count() >= 25
    assert products.filter(status="active").count() == products.count()
    assert variants.count() > products.count()
    assert not products.annotate(n=Count("variants")).filter(n=0).exists()
    with_options = [v for v in variants if v.options]
    assert len(with_options) >= variants.count() // 2
    assert {name for v in with_options for name in v.options} >= {"size", "colour"}
    assert all(v.name == " / ".join(v.options.values()) for v in with_options)
    # The channel demo's gift card (no cost, no GTIN) and sample pack (no price) are what
    # marketplaces refuse, on purpose: their listings are in error for it.
    priced = variants.exclude(sku__in=["GIFT-CARD-50", "SAMPLE-PACK"])
    assert all(v.price is not None and v.cost is not None and v.cost < v.price for v in priced)
    assert variants.get(sku="SAMPLE-PACK").price is None
    locations = Location.objects.filter(workspace=workspace)
    assert locations.count() == 2
    assert locations.filter(is_default=True).count() == 1
    # Only the demo workspace exists: nothing of it leaks into another one.
    assert Workspace.objects.count() == 1


def test_the_stock_history_explains_every_level(seeded):
    ledger = StockAdjustment.objects.filter(workspace=seeded)
    levels = StockLevel.objects.filter(workspace=seeded)

    assert set(ledger.values_list("reason", flat=True)) >= {"received", "sold"}
    assert ledger.filter(reason="received").count() >= 100
    assert ledger.filter(reason="sold").count() >= 50
    assert set(levels.values_list("location__name", flat=True)) == set(
        Location.objects.filter(workspace=seeded).values_list("name", flat=True)
    )
    sums = dict(ledger.values_list("level_id").annotate(total=Sum("quantity")))
    for level in levels:
        assert level.on_hand == sums.get(level.pk, 0), level
        assert level.on_hand >= 0
    assert levels.filter(on_hand__gt=0).count() >= levels.count() // 2
    for level_id in sums:
        running = 0
        for quantity, after in ledger.filter(level_id=level_id).values_list(
            "quantity", "on_hand_after"
        ):
            running += quantity
            assert after == running
    assert ledger.count() == DomainEvent.objects.filter(type="stock.adjusted").count()
    # Stock came from the demo's own history and from the demo purchase orders received.
    sources = set(ledger.values_list("source_type", "source_name"))
    orders = set(PurchaseOrder.objects.filter(workspace=seeded).values_list("number", flat=True))
    assert ("system", "Demo data") in sources
    assert {name for kind, name in sources if kind == "purchase_order"} <= orders
    assert {kind for kind, _name in sources} == {"system", "purchase_order"}


def test_barcodes_are_valid_gtins_and_skus_unique(seeded):
    variants = Variant.objects.filter(workspace=seeded)
    barcodes = [b for b in variants.values_list("barcode", flat=True) if b]
    skus = list(variants.values_list("sku", flat=True))

    assert barcodes
    assert all(gtin_is_valid(code) for code in barcodes), [
        code for code in barcodes if not gtin_is_valid(code)
    ]
    assert len(set(barcodes)) == len(barcodes)
    assert len(set(skus)) == len(skus)
    assert all(sku and " " not in sku for sku in skus)


def test_running_seed_demo_twice_changes_nothing(seeded):
    before = snapshot()
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert out.getvalue().splitlines()[0] == seeded.slug
    assert snapshot() == before
