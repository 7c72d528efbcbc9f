"""The lean read path answers exactly what the DRF serializers did (STYLE.md "Fast by
construction"): for every endpoint and every event, the dicts built from rows in
``inventory.representations`` render to the same bytes as the ``inventory.schema`` serializers
(which now describe the schema only) on the same objects, and its values are written exactly
as DRF's fields write them. Also the write path's part: one lock query when the levels exist,
no upsert, and each adjustment represented once."""

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone as django_timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from core.models import DomainEvent
from inventory import representations, services
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from inventory.queries import stock_incoming
from inventory.schema import (
    LocationSerializer,
    ProductSerializer,
    StockAdjustmentSerializer,
    StockLevelSerializer,
    VariantSerializer,
)
from tests.factories import UserFactory

render = JSONRenderer().render


# --- The old path: the serializers on prefetched instances, as the views and services did ------


def _old_levels():
    return StockLevel.objects.order_by("location_id")


def old_products():
    variants = Variant.objects.order_by("id").prefetch_related(
        Prefetch("stock_levels", queryset=_old_levels())
    )
    return Product.objects.prefetch_related(Prefetch("variants", queryset=variants))


def old_variants():
    return Variant.objects.prefetch_related(Prefetch("stock_levels", queryset=_old_levels()))


OLD = {
    "product": (ProductSerializer, old_products),
    "variant": (VariantSerializer, old_variants),
    "location": (LocationSerializer, Location.objects.all),
    "level": (StockLevelSerializer, lambda: StockLevel.objects.select_related("variant")),
    "adjustment": (
        StockAdjustmentSerializer,
        lambda: StockAdjustment.objects.select_related("variant"),
    ),
}


def old(kind: str, pk: int) -> dict:
    serializer, queryset = OLD[kind]
    return serializer(queryset().get(pk=pk)).data


def old_list(kind: str, queryset) -> list:
    serializer, _ = OLD[kind]
    return serializer(queryset.order_by("id"), many=True).data


def events_of(workspace, type: str | None = None) -> list[dict]:
    queryset = DomainEvent.objects.filter(workspace=workspace).order_by("id")
    if type is not None:
        queryset = queryset.filter(type=type)
    return [event.data["object"] for event in queryset]


def as_stored(data) -> dict:
    """What an event keeps of a representation: it through JSON."""
    return json.loads(render(data))


# --- A catalogue with the cases formatting can get wrong ---------------------------------------


@pytest.fixture
def catalogue(api, default_location):
    """Two products (one archived), variants with and without money, barcode and options,
    stock at three locations created out of location order, ledger entries by a key, a user
    and the system, and timestamps with and without microseconds."""
    back_room = Location.objects.get(pk=api.post("locations", {"name": "Back room"}).json()["id"])
    shop = Location.objects.get(pk=api.post("locations", {"name": "Shop — Köln"}).json()["id"])
    crew = api.create_product(
        "Merino crew “neck”",
        description="Soft.\nWarm — and itch-free.",
        variants=[
            {
                "sku": "MER-M",
                "name": "M / Navy",
                "options": {"size": "M", "colour": "Navy", "note": "ä — 1"},
                "barcode": "4006381333931",
                "price": "19.90",
                "cost": "7.25",
                "reorder_point": 5,
            },
            {"sku": "MER-L", "price": "0", "cost": None, "barcode": None},
            {"sku": "MER-XL", "price": "1234567890.12", "reorder_point": 2},
        ],
    )
    sock = api.create_product("Sock", ["SOCK-1"])
    assert api.post(f"products/{sock['id']}/archive").status_code == 200
    assert api.post(f"variants/{crew['variants'][2]['id']}/archive").status_code == 200
    merino_m = Variant.objects.get(sku="MER-M")
    for location in (shop, back_room):  # levels made out of location order
        api.adjust(4, sku="MER-M", location_id=location.pk, note="Delivery\n#1")
    api.adjust(-1, sku="MER-M", location_id=shop.pk, reason="sold")
    services.stock_adjust(
        workspace=api.workspace, variant=merino_m, location=default_location, quantity=9,
        reason="count", actor=services.Actor.user(UserFactory(email="dana@example.com")),
    )  # fmt: skip
    services.stock_adjust(
        workspace=api.workspace, variant=Variant.objects.get(sku="SOCK-1"), location=shop,
        quantity=2, reason="received", actor=services.Actor.system(),
    )  # fmt: skip
    whole_second = datetime(2025, 3, 30, 1, 2, 3, tzinfo=UTC)
    Product.objects.filter(pk=sock["id"]).update(created_at=whole_second)
    Variant.objects.filter(sku="MER-L").update(updated_at=whole_second)
    StockLevel.objects.filter(location=back_room).update(created_at=whole_second)
    StockAdjustment.objects.filter(reason="count").update(created_at=whole_second)
    Location.objects.filter(pk=shop.pk).update(updated_at=whole_second)
    return {"crew": crew["id"], "sock": sock["id"], "merino_m": merino_m.pk, "shop": shop.pk}


READS = [
    "products?status=all&limit=200",
    "products?limit=200",
    "products/{crew}",
    "products/{sock}",
    "products/{crew}/variants?status=all&limit=200",
    "variants/{merino_m}",
    "locations?limit=200",
    "locations/{shop}",
    "stock?limit=200",
    "stock/adjustments?limit=200",
]


def _old_answer(path: str, ids: dict, workspace):
    page = lambda results: {"results": results, "next": None, "previous": None}  # noqa: E731
    answers = {
        "products?status=all&limit=200": lambda: page(
            old_list("product", old_products().filter(workspace=workspace))
        ),
        "products?limit=200": lambda: page(
            old_list("product", old_products().filter(workspace=workspace, status="active"))
        ),
        "products/{crew}": lambda: old("product", ids["crew"]),
        "products/{sock}": lambda: old("product", ids["sock"]),
        "products/{crew}/variants?status=all&limit=200": lambda: page(
            old_list("variant", old_variants().filter(product_id=ids["crew"]))
        ),
        "variants/{merino_m}": lambda: old("variant", ids["merino_m"]),
        "locations?limit=200": lambda: page(
            old_list("location", Location.objects.filter(workspace=workspace))
        ),
        "locations/{shop}": lambda: old("location", ids["shop"]),
        "stock?limit=200": lambda: page(
            old_list(
                "level", StockLevel.objects.filter(workspace=workspace).select_related("variant")
            )
        ),
        "stock/adjustments?limit=200": lambda: page(
            old_list(
                "adjustment",
                StockAdjustment.objects.filter(workspace=workspace).select_related("variant"),
            )
        ),
    }
    return answers[path]()


@pytest.mark.parametrize("path", READS)
def test_every_read_endpoint_answers_the_serializers_bytes(api, catalogue, path):
    response = api.get(path.format(**catalogue))

    assert response.status_code == 200, response.content
    assert response.content == render(_old_answer(path, catalogue, api.workspace))


@pytest.mark.parametrize("path", ["products/{crew}", "stock?limit=200"])
def test_the_bytes_match_in_another_current_time_zone_too(api, catalogue, path):
    """Both follow the current time zone as DRF's DateTimeField does (not UTC only)."""
    with django_timezone.override("Asia/Kolkata"):
        response = api.get(path.format(**catalogue))
        expected = render(_old_answer(path, catalogue, api.workspace))

    assert response.content == expected
    assert b"+05:30" in response.content


def test_a_filtered_page_answers_the_same_rows_as_the_whole_list(api, catalogue):
    everything = api.get("stock", {"limit": 200}).json()["results"]

    filtered = api.get("stock", {"sku": "MER-M", "below_threshold": "true"}).json()["results"]

    assert filtered == [
        level for level in everything if level["sku"] == "MER-M" and level["below_threshold"]
    ]
    assert filtered  # 3 at the shop, below its reorder point of 5


def test_pages_join_their_rows_to_their_own_variants_and_levels(api, catalogue):
    """Page by page (limit=1), each product still carries its own variants and stock."""
    whole = api.get("products", {"status": "all", "limit": 200}).json()["results"]
    first = api.get("products", {"status": "all", "limit": 1}).json()

    second = api.get(first["next"]).json()

    assert first["results"] + second["results"] == whole
    assert [len(p["variants"]) for p in whole] == [3, 1]


def test_a_missing_object_is_404_not_found(api, other_api, catalogue):
    foreign = other_api.create_product("Theirs", ["THEIRS-1"])

    for path in [f"products/{foreign['id']}", "products/999999", "variants/999999"]:
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


# --- Writes: the answers and the events --------------------------------------------------------


@pytest.fixture
def fresh(api, catalogue):
    """The catalogue, with no events yet: each test sees its own."""
    DomainEvent.objects.filter(workspace=api.workspace).delete()
    return catalogue


def assert_answer_and_event(response, status: int, kind: str, pk: int, events: list[dict]):
    """The answer is the old serializer's bytes, and so is each of ``events``' objects."""
    assert response.status_code == status, response.content
    expected = old(kind, pk)
    assert response.content == render(expected)
    for event in events:
        assert event == as_stored(expected)


def test_product_writes_answer_and_record_the_serializers_shape(api, fresh):
    response = api.post(
        "products",
        {
            "name": "Beanie",
            "variants": [{"sku": "BEA-1", "price": "12.5", "options": {"colour": "Rust"}}],
        },
    )
    pk = response.json()["id"]
    assert_answer_and_event(response, 201, "product", pk, events_of(api.workspace))

    for write in [
        lambda: api.patch(f"products/{pk}", {"description": "Wool."}),
        lambda: api.post(f"products/{pk}/archive"),
        lambda: api.post(f"products/{pk}/unarchive"),
    ]:
        DomainEvent.objects.all().delete()
        assert_answer_and_event(write(), 200, "product", pk, events_of(api.workspace))

    DomainEvent.objects.all().delete()
    response = api.post(f"products/{pk}/variants", {"sku": "BEA-2", "cost": "3"})
    assert_answer_and_event(response, 201, "variant", response.json()["id"], [])
    assert events_of(api.workspace) == [as_stored(old("product", pk))]


def test_variant_writes_answer_and_record_the_serializers_shape(api, fresh):
    pk = fresh["merino_m"]

    for write in [
        lambda: api.patch(f"variants/{pk}", {"price": "21", "barcode": None, "reorder_point": 9}),
        lambda: api.post(f"variants/{pk}/archive"),
        lambda: api.post(f"variants/{pk}/unarchive"),
    ]:
        DomainEvent.objects.all().delete()
        response = write()
        assert_answer_and_event(response, 200, "variant", pk, [])
        (event,) = events_of(api.workspace, "product.updated")
        assert event == as_stored(old("product", fresh["crew"]))


def test_a_raised_reorder_point_flags_levels_in_the_serializers_shape(api, fresh):
    response = api.patch(f"variants/{fresh['merino_m']}", {"reorder_point": 100})

    assert response.status_code == 200
    flagged = events_of(api.workspace, "stock.below_threshold")
    levels = StockLevel.objects.filter(variant_id=fresh["merino_m"]).order_by("pk")
    # 3 at the shop and 4 in the back room were below 5 already: only the main one's 9 falls.
    assert flagged == [as_stored(old("level", level.pk)) for level in levels if level.on_hand >= 5]
    assert len(flagged) == 1


def test_a_created_location_answers_the_serializers_bytes(api, fresh):
    response = api.post("locations", {"name": "Pop-up"})

    assert_answer_and_event(response, 201, "location", response.json()["id"], [])


def test_an_adjustment_answers_and_records_the_serializers_shape(api, fresh):
    response = api.post(
        "stock/adjustments",
        {"sku": "MER-M", "location_id": fresh["shop"], "quantity": 3, "reason": "received"},
    )
    assert response.status_code == 201
    DomainEvent.objects.all().delete()

    response = api.post(
        "stock/adjustments",
        {"sku": "MER-M", "location_id": fresh["shop"], "quantity": -2, "reason": "sold"},
    )

    body = response.json()
    adjustment = old("adjustment", body["adjustment"]["id"])
    level = old("level", body["level"]["id"])
    assert response.content == render({"adjustment": adjustment, "level": level})
    assert events_of(api.workspace, "stock.adjusted") == [as_stored(adjustment)]
    assert events_of(api.workspace, "stock.below_threshold") == [as_stored(level)]


def test_a_batch_answers_each_line_with_its_level_after_the_whole_batch(api, fresh):
    pop_up = api.post("locations", {"name": "Pop-up"}).json()["id"]  # no levels there yet
    DomainEvent.objects.all().delete()
    lines = [
        {"sku": "MER-M", "location_id": fresh["shop"], "quantity": 5, "reason": "received"},
        {"sku": "MER-L", "location_id": pop_up, "quantity": 1, "reason": "received"},
        {"sku": "MER-M", "location_id": fresh["shop"], "quantity": -6, "reason": "sold"},
    ]

    response = api.post("stock/adjustments/batch", {"adjustments": lines})

    assert response.status_code == 201, response.content
    answers = response.json()["adjustments"]
    expected = [
        {
            "adjustment": old("adjustment", a["adjustment"]["id"]),
            "level": old("level", a["level"]["id"]),
        }
        for a in answers
    ]
    assert response.content == render({"adjustments": expected})
    assert answers[0]["level"]["on_hand"] == 2  # 3 + 5 - 6: after the whole batch
    assert events_of(api.workspace, "stock.adjusted") == [
        as_stored(line["adjustment"]) for line in expected
    ]
    # 8 → 2 crosses below 5 in the third line, the level's last: the event is its final state.
    assert events_of(api.workspace, "stock.below_threshold") == [as_stored(expected[2]["level"])]


# --- The values, exactly as DRF's fields write them ----------------------------------------------


DATETIMES = [
    datetime(2025, 3, 30, 1, 2, 3, tzinfo=UTC),
    datetime(2025, 3, 30, 1, 2, 3, 4, tzinfo=UTC),
    datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2025, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=-7))),
]


@pytest.mark.parametrize("value", DATETIMES, ids=str)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/St_Johns"])
def test_datetimes_are_written_as_drfs_datetime_field_writes_them(value, zone):
    with django_timezone.override(zone):
        assert representations.datetime_writer()(value) == (
            serializers.DateTimeField().to_representation(value)
        )


MONEY = ["0", "0.00", "19.9", "19.90", "7.25", "1234567890.12", "9999999999.99", "0.5", "1E+2"]


@pytest.mark.parametrize("value", MONEY)
def test_money_is_written_as_drfs_decimal_field_writes_it(value):
    field = VariantSerializer().fields["price"]

    assert representations.money_text(Decimal(value)) == field.to_representation(Decimal(value))


def test_no_money_is_null_as_in_the_serializer(db):
    variant = Variant(pk=1, product_id=1, sku="X", price=None, cost=None)

    data = VariantSerializer(variant).data

    assert data["price"] is data["cost"] is representations.money_text(None) is None


# --- Representing what a service holds: no query -------------------------------------------------


def test_representing_objects_in_hand_costs_no_query_and_matches_their_rows(api, catalogue):
    entries = list(StockAdjustment.objects.select_related("variant").order_by("pk"))
    levels = list(
        StockLevel.objects.select_related("variant")
        .annotate(incoming=stock_incoming())
        .order_by("pk")
    )
    location = Location.objects.get(pk=catalogue["shop"])

    with CaptureQueriesContext(connection) as queries:
        represented = (
            representations.ADJUSTMENTS.of(entries),
            representations.LEVELS.of(levels),
            representations.LOCATIONS.of([location]),
        )

    assert queries.captured_queries == []
    assert represented == (
        representations.ADJUSTMENTS.many(
            representations.ADJUSTMENTS.rows(StockAdjustment.objects.order_by("pk"))
        ),
        representations.LEVELS.many(representations.LEVELS.rows(StockLevel.objects.order_by("pk"))),
        [representations.LOCATIONS.one(Location.objects.all(), location.pk)],
    )


def test_one_of_nothing_is_the_models_does_not_exist(db):
    with pytest.raises(Product.DoesNotExist):
        representations.PRODUCTS.one(Product.objects.all(), 999999)


def test_an_empty_page_loads_no_relations(db):
    with CaptureQueriesContext(connection) as queries:
        assert representations.products_represent([]) == []
        assert representations.variants_represent([]) == []

    assert queries.captured_queries == []


# --- Writes: no upsert when the level exists, each adjustment represented once -----------------


def _level_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if 'INTO "inventory_stocklevel"' in q["sql"]]


def _level_reads(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and 'FROM "inventory_stocklevel"' in q["sql"]
    ]


def test_an_adjustment_to_an_existing_level_locks_it_with_one_query_and_inserts_none(
    api, catalogue
):
    variant = Variant.objects.get(pk=catalogue["merino_m"])
    location = Location.objects.get(pk=catalogue["shop"])

    with CaptureQueriesContext(connection) as queries:
        services.stock_adjust(
            workspace=api.workspace, variant=variant, location=location, quantity=1,
            reason="received", actor=services.Actor.system(),
        )  # fmt: skip

    assert _level_writes(queries.captured_queries) == []
    assert len(_level_reads(queries.captured_queries)) == 1


def test_a_batch_inserts_only_its_missing_levels(api, catalogue):
    variant = Variant.objects.get(pk=catalogue["merino_m"])
    shop = Location.objects.get(pk=catalogue["shop"])
    pop_up = services.location_create(workspace=api.workspace, name="Pop-up")
    existing = StockLevel.objects.get(variant=variant, location=shop)
    lines = [
        services.AdjustmentLine(variant, shop, 1, "received"),
        services.AdjustmentLine(variant, pop_up, 2, "received"),
    ]

    with CaptureQueriesContext(connection) as queries:
        results = services.stock_adjust_batch(
            workspace=api.workspace, lines=lines, actor=services.Actor.system()
        )

    (insert,) = _level_writes(queries.captured_queries)
    assert insert.split("VALUES", 1)[1].count("(") == 1  # one row: the pop-up's
    assert results[0][1].pk == existing.pk
    assert StockLevel.objects.get(variant=variant, location=pop_up).on_hand == 2
    assert StockLevel.objects.get(pk=existing.pk).on_hand == existing.on_hand + 1


def test_a_level_changed_after_its_event_is_represented_again_for_the_answer(api, catalogue):
    """``level_represented`` is the level after the whole batch, even when a line's event
    represented it earlier; one representation serves every line of a level."""
    variant = Variant.objects.get(pk=catalogue["merino_m"])
    main = Location.objects.get(workspace=api.workspace, is_default=True)  # 9, reorder point 5
    lines = [
        services.AdjustmentLine(variant, main, -6, "sold"),  # 9 → 3: below, an event
        services.AdjustmentLine(variant, main, 1, "received"),  # 3 → 4
    ]
    DomainEvent.objects.all().delete()

    with transaction.atomic():
        applied = services.stock_apply(
            workspace=api.workspace, lines=lines, actor=services.Actor.system()
        )

    (flagged,) = events_of(api.workspace, "stock.below_threshold")
    assert flagged["on_hand"] == 3
    assert applied[0].level_represented is applied[1].level_represented
    assert applied[0].level_represented == old("level", applied[0].level.pk)
    assert applied[0].level_represented["on_hand"] == 4
    assert [line.represented for line in applied] == [
        old("adjustment", line.adjustment.pk) for line in applied
    ]
    assert events_of(api.workspace, "stock.adjusted") == [
        as_stored(line.represented) for line in applied
    ]


# --- The schema's side: the serializers describe exactly what they did ---------------------------

REPRESENTATION_SCHEMAS = [
    "Product", "Variant", "VariantStock", "Location", "StockLevel", "StockAdjustment", "Source",
    "AdjustmentResult", "AdjustmentBatchResult",
]  # fmt: skip
# sha256 of those components (JSON, sorted keys) as they were before the lean read path: the
# OpenAPI schema must not move when the answers are built another way. A deliberate change of a
# representation changes this pin together with the dicts and these serializers. Per database:
# an IntegerField's bounds in the schema are the backend's (64-bit on SQLite, 32 on PostgreSQL).
# Changed deliberately in step 9: a source may be a channel order, named by its store's id.
REPRESENTATION_SCHEMAS_SHA256 = {
    "sqlite": "5f34df6c6bbe44cc6dd54fb0babcf671d485cb8a272dd55117385af39ca2bd76",
    "postgresql": "209c8059ac9cb9c49edcc025ae41232eb56e145d56949309511cb0d071031e95",
}


def test_the_representations_schema_components_are_unchanged(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = {name: schema["components"]["schemas"][name] for name in REPRESENTATION_SCHEMAS}

    digest = hashlib.sha256(json.dumps(components, sort_keys=True).encode()).hexdigest()

    expected = REPRESENTATION_SCHEMAS_SHA256[connection.vendor]
    assert digest == expected, json.dumps(components, indent=1)[:3000]
