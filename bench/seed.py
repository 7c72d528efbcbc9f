"""The benchmark's own database and its data: created, migrated and seeded once, then reused
while its data version matches. It never touches any other database."""

import contextlib
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg
from psycopg import errors, sql

HIGH_LIMIT = 10**9  # daily and burst limits out of reach: no request is refused
PRODUCT_NAME = "Crew {:06d}"  # six digits: "000042" is in one product's name and SKUs only
SIZES = ("M", "L")  # variants per product, each stocked in the default location
ADJUST_SKU = "ADJ-{:05d}"  # the adjustment workspace's variants (matches bench/wrk/adjust.lua)
WEBHOOK_SKU = "WH-{:05d}"  # the webhook workspace's variants (bench/webhooks.py adjusts them)
WEBHOOK_VARIANTS = 100
BATCH = 5000
ORDERS, ORDER_LINES = 150, 3  # open purchase orders of the small catalogue, lines each
LISTINGS = 150  # the small catalogue's variants listed on one channel


@dataclass(frozen=True)
class Catalogue:
    """What the runs need from the seeded data: the workspaces, their keys and ids."""

    small_workspace: int
    large_workspace: int
    adjust_workspace: int
    webhook_workspace: int  # its adjustments are delivered to the harness's receiver
    small_key: str
    large_key: str
    adjust_key: str
    webhook_key: str
    webhook_skus: tuple[str, ...]
    product_id: int  # the front door's product, in the small catalogue
    search: str  # a q= matching exactly one product in either catalogue


def _admin_url(database_url: str) -> str:
    return urlsplit(database_url)._replace(path="/postgres").geturl()


def _name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def database_create(database_url: str, *, fresh: bool = False) -> None:
    """Create the benchmark database if missing (dropping it first with ``fresh``)."""
    name = _name(database_url)
    assert name.startswith("salync_bench"), f"not a benchmark database: {name}"
    with psycopg.connect(_admin_url(database_url), autocommit=True) as conn:
        if fresh:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            with contextlib.suppress(errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def data_version(*, small: int, large: int, adjust: int) -> str:
    return (
        f"v5 small={small} large={large} adjust={adjust} sizes={','.join(SIZES)} "
        f"orders={ORDERS}x{ORDER_LINES} listings={LISTINGS} webhooks={WEBHOOK_VARIANTS}"
    )


def stored_version() -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS salync_bench_meta (key text PRIMARY KEY, value text)"
        )
        cursor.execute("SELECT value FROM salync_bench_meta WHERE key = 'data_version'")
        row = cursor.fetchone()
    return row[0] if row else None


def _catalogue(workspace, count: int) -> None:
    """``count`` products of len(SIZES) variants, each stocked in the default location, bulk
    inserted in batches (the caller holds one transaction)."""
    from inventory.models import Product, StockLevel, Variant
    from inventory.services import location_default

    location = location_default(workspace)
    for start in range(0, count, BATCH):
        numbers = range(start, min(count, start + BATCH))
        products = Product.objects.bulk_create(
            [Product(workspace=workspace, name=PRODUCT_NAME.format(n)) for n in numbers]
        )
        variants = Variant.objects.bulk_create(
            [
                Variant(
                    workspace=workspace,
                    product=product,
                    sku=f"CREW-{n:06d}-{size}",
                    options={"size": size},
                    price="24.90",
                    reorder_point=2,
                )
                for n, product in zip(numbers, products, strict=True)
                for size in SIZES
            ]
        )
        StockLevel.objects.bulk_create(
            [
                StockLevel(workspace=workspace, variant=variant, location=location, on_hand=7)
                for variant in variants
            ]
        )


def _orders_and_listings(workspace) -> None:
    """Open purchase orders with lines and one channel's listings, on the first variants."""
    from inventory.models import Variant
    from inventory.services import location_default
    from purchasing.models import OrderNumberSequence, PurchaseOrder, PurchaseOrderLine, Supplier
    from saleschannels.models import Channel, Listing

    location = location_default(workspace)
    variants = list(Variant.objects.filter(workspace=workspace).order_by("id")[:LISTINGS])
    supplier = Supplier.objects.create(workspace=workspace, name="Bench Supplier", currency="EUR")
    orders = PurchaseOrder.objects.bulk_create(
        [
            PurchaseOrder(
                workspace=workspace,
                supplier=supplier,
                location=location,
                number=f"PO-{n + 1:04d}",
                status="ordered",
            )
            for n in range(ORDERS)
        ]
    )
    OrderNumberSequence.objects.create(workspace=workspace, last=ORDERS)
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                order=order,
                variant=variants[(n * ORDER_LINES + line) % len(variants)],
                quantity=10,
                unit_cost="9.50",
                location=location,
                is_open=True,
            )
            for n, order in enumerate(orders)
            for line in range(ORDER_LINES)
        ]
    )
    channel = Channel.objects.create(
        workspace=workspace, type="amazon", name="Bench Amazon", status="connected"
    )
    Listing.objects.bulk_create(
        [
            Listing(
                workspace=workspace,
                channel=channel,
                variant=variant,
                external_id=f"SIM-{variant.pk}",
                state="active",
                published_quantity=7,
            )
            for variant in variants
        ]
    )


def _adjust_variants(workspace, count: int, sku: str = ADJUST_SKU) -> None:
    """``count`` one-variant products whose levels the adjustment runs change."""
    from inventory.models import Product, StockLevel, Variant
    from inventory.services import location_default

    location = location_default(workspace)
    products = Product.objects.bulk_create(
        [Product(workspace=workspace, name=f"Adjusted {n:05d}") for n in range(count)]
    )
    variants = Variant.objects.bulk_create(
        [
            Variant(workspace=workspace, product=product, sku=sku.format(n))
            for n, product in enumerate(products)
        ]
    )
    StockLevel.objects.bulk_create(
        [StockLevel(workspace=workspace, variant=v, location=location) for v in variants]
    )


def seed(*, small: int, large: int, adjust: int) -> None:
    """Four workspaces (small and large catalogues, adjustments, webhooks) and the counter
    table for the raw UPDATE loop, in one transaction, then the data version."""
    from django.db import connection, transaction

    from accounts.services import workspace_set_plan
    from portal.services import workspace_setup

    with transaction.atomic():
        for slug, count in (("bench-small", small), ("bench-large", large)):
            workspace = workspace_setup(name=f"Bench {count} products", owner=None, slug=slug)
            workspace_set_plan(
                workspace=workspace, plan="pro", daily_limit=HIGH_LIMIT, burst_limit=HIGH_LIMIT
            )
            _catalogue(workspace, count)
            if slug == "bench-small":
                _orders_and_listings(workspace)
        workspace = workspace_setup(name="Bench adjustments", owner=None, slug="bench-adjust")
        workspace_set_plan(
            workspace=workspace, plan="pro", daily_limit=HIGH_LIMIT, burst_limit=HIGH_LIMIT
        )
        _adjust_variants(workspace, adjust)
        # Apart from bench-adjust: its endpoint must not weigh on the adjustment runs.
        workspace = workspace_setup(name="Bench webhooks", owner=None, slug="bench-webhooks")
        workspace_set_plan(
            workspace=workspace, plan="pro", daily_limit=HIGH_LIMIT, burst_limit=HIGH_LIMIT
        )
        _adjust_variants(workspace, WEBHOOK_VARIANTS, sku=WEBHOOK_SKU)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS salync_bench_counter")
            cursor.execute(
                "CREATE TABLE salync_bench_counter (id int PRIMARY KEY, n bigint NOT NULL)"
            )
            cursor.execute(
                "INSERT INTO salync_bench_counter SELECT g, 0 FROM generate_series(1, %s) g",
                [adjust],
            )
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS salync_bench_meta (key text PRIMARY KEY, value text)"
            )
            cursor.execute(
                "INSERT INTO salync_bench_meta VALUES ('data_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [data_version(small=small, large=large, adjust=adjust)],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # plans as on a database that has lived a while


def keys() -> Catalogue:
    """Fresh API keys for this run (the previous run's are deleted: their secrets are gone),
    with the plan's limits set out of reach again."""
    from accounts.models import Workspace
    from accounts.services import workspace_set_plan
    from apikeys.models import ApiKey
    from apikeys.services import api_key_create
    from inventory.models import Product

    workspaces = {w.slug: w for w in Workspace.objects.filter(slug__startswith="bench-")}
    ApiKey.objects.filter(workspace__in=workspaces.values()).delete()
    raw = {}
    for slug, workspace in workspaces.items():
        workspace_set_plan(
            workspace=workspace, plan="pro", daily_limit=HIGH_LIMIT, burst_limit=HIGH_LIMIT
        )
        _key, raw[slug] = api_key_create(workspace=workspace, name="Benchmark", created_by=None)
    small = workspaces["bench-small"]
    return Catalogue(
        small_workspace=small.pk,
        large_workspace=workspaces["bench-large"].pk,
        adjust_workspace=workspaces["bench-adjust"].pk,
        small_key=raw["bench-small"],
        large_key=raw["bench-large"],
        adjust_key=raw["bench-adjust"],
        webhook_workspace=workspaces["bench-webhooks"].pk,
        webhook_key=raw["bench-webhooks"],
        webhook_skus=tuple(WEBHOOK_SKU.format(n) for n in range(WEBHOOK_VARIANTS)),
        product_id=Product.objects.filter(workspace=small)
        .order_by("id")
        .values_list("id", flat=True)[42],
        search="000042",
    )
