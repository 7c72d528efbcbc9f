"""SPEC §5.3 to §5.4: stock levels, adjustments (single and batch, all or nothing), the ledger,
read-only keys and Idempotency-Key on the catalogue and stock writes."""

from datetime import UTC, datetime, timedelta

import pytest

from core.models import DomainEvent
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from tests.api_client import ApiClient, assert_error, assert_fields
from tests.inventory.conftest import snapshot

LEVEL_FIELDS = {
    "id", "variant_id", "sku", "location_id", "on_hand", "incoming", "reorder_point",
    "below_threshold", "created_at", "updated_at",
}  # fmt: skip
ENTRY_FIELDS = {
    "id", "variant_id", "sku", "location_id", "quantity", "on_hand_after", "reason", "note",
    "source", "created_at", "updated_at",
}  # fmt: skip


@pytest.fixture
def skus(api, default_location):
    """Two products, three variants; MER-M has a reorder point of 5. Returns sku → variant id."""
    crew = api.create_product(
        "Merino crew",
        variants=[{"sku": "MER-M", "reorder_point": 5}, {"sku": "MER-L", "reorder_point": 2}],
    )
    sock = api.create_product("Sock", ["SOCK-1"])
    return {v["sku"]: v["id"] for v in crew["variants"] + sock["variants"]}


@pytest.fixture
def shop(api):
    return Location.objects.get(pk=api.post("locations", {"name": "Shop"}).json()["id"])


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def adjust(api, **body):
    return api.post("stock/adjustments", {"reason": "received", **body})


# --- Levels ------------------------------------------------------------------------------------


def test_levels_list(api, skus, default_location):
    api.adjust(3, sku="MER-M")
    api.adjust(7, sku="MER-L")

    levels = results(api.get("stock"))

    assert [set(level) for level in levels] == [LEVEL_FIELDS] * 3
    by_sku = {level["sku"]: level for level in levels}
    assert by_sku["MER-M"]["variant_id"] == skus["MER-M"]
    assert by_sku["MER-M"]["location_id"] == default_location.pk
    assert by_sku["MER-M"]["on_hand"] == 3
    assert by_sku["MER-M"]["incoming"] == 0
    assert by_sku["MER-M"]["reorder_point"] == 5
    assert by_sku["MER-M"]["below_threshold"] is True
    assert (by_sku["MER-L"]["on_hand"], by_sku["MER-L"]["below_threshold"]) == (7, False)
    # At a reorder point of 0, nothing is below it.
    assert (by_sku["SOCK-1"]["on_hand"], by_sku["SOCK-1"]["below_threshold"]) == (0, False)


def test_levels_filters(api, skus, default_location, shop):
    api.adjust(3, sku="MER-M")
    api.adjust(9, sku="MER-M", location_id=shop.pk)
    api.adjust(7, sku="MER-L")

    def pairs(params):
        return sorted((lv["sku"], lv["location_id"]) for lv in results(api.get("stock", params)))

    assert pairs({"sku": "MER-M"}) == [("MER-M", default_location.pk), ("MER-M", shop.pk)]
    assert pairs({"sku": "mer-m"}) == []
    assert pairs({"variant_id": skus["MER-L"]}) == [("MER-L", default_location.pk)]
    assert pairs({"location_id": shop.pk}) == [("MER-M", shop.pk)]
    assert pairs({"sku": "MER-M", "location_id": default_location.pk}) == [
        ("MER-M", default_location.pk)
    ]
    # MER-M: 3 < 5 at the default location, 9 >= 5 at the shop; MER-L 7 >= 2; SOCK-1 0 >= 0.
    assert pairs({"below_threshold": "true"}) == [("MER-M", default_location.pk)]
    assert pairs({"below_threshold": "false"}) == [
        ("MER-L", default_location.pk),
        ("MER-M", shop.pk),
        ("SOCK-1", default_location.pk),
    ]


@pytest.mark.parametrize(
    ("param", "value"),
    [("variant_id", "abc"), ("variant_id", "1.5"), ("location_id", "x"), ("variant_id", "0")],
)
def test_levels_filter_ids_must_be_ids(api, skus, param, value):
    assert_fields(api.get("stock", {param: value}), param)


def test_levels_updated_since_shows_levels_that_changed(api, skus):
    StockLevel.objects.filter(workspace=api.workspace).update(
        updated_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    api.adjust(1, sku="MER-L")

    since = {"updated_since": "2024-01-01T00:00:00Z"}
    assert [level["sku"] for level in results(api.get("stock", since))] == ["MER-L"]


def test_levels_show_only_this_workspace(api, skus, other_api):
    other_api.create_product("Theirs", ["THEIRS-1"])

    assert sorted(level["sku"] for level in results(api.get("stock"))) == sorted(skus)


# --- POST stock/adjustments --------------------------------------------------------------------


def test_adjust_by_sku_at_the_default_location(api, skus, default_location):
    response = adjust(api, sku="MER-M", quantity=12, note="PO 1042")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"adjustment", "level"}
    entry, level = body["adjustment"], body["level"]
    assert set(entry) == ENTRY_FIELDS
    assert entry["variant_id"] == skus["MER-M"]
    assert entry["sku"] == "MER-M"
    assert entry["location_id"] == default_location.pk
    assert (entry["quantity"], entry["on_hand_after"]) == (12, 12)
    assert (entry["reason"], entry["note"]) == ("received", "PO 1042")
    assert entry["source"] == {"type": "api_key", "id": api.key.pk, "name": "ERP sync"}
    assert set(level) == LEVEL_FIELDS
    assert (level["variant_id"], level["location_id"]) == (skus["MER-M"], default_location.pk)
    assert (level["on_hand"], level["below_threshold"]) == (12, False)
    stored = StockLevel.objects.get(variant_id=skus["MER-M"], location=default_location)
    assert stored.on_hand == 12
    assert StockAdjustment.objects.get(workspace=api.workspace).on_hand_after == 12


def test_adjust_by_variant_id(api, skus):
    api.adjust(10, sku="MER-L")

    response = adjust(api, variant_id=skus["MER-L"], quantity=-4, reason="sold")

    assert response.status_code == 201, response.content
    assert response.json()["adjustment"]["on_hand_after"] == 6
    assert response.json()["adjustment"]["sku"] == "MER-L"
    assert response.json()["level"]["on_hand"] == 6


def test_an_explicit_location_creates_the_level_there(api, skus, default_location, shop):
    assert not StockLevel.objects.filter(location=shop).exists()

    response = adjust(api, sku="MER-M", quantity=4, location_id=shop.pk)

    assert response.status_code == 201, response.content
    assert response.json()["level"]["location_id"] == shop.pk
    assert response.json()["adjustment"]["location_id"] == shop.pk
    assert StockLevel.objects.get(variant_id=skus["MER-M"], location=shop).on_hand == 4
    assert StockLevel.objects.get(variant_id=skus["MER-M"], location=default_location).on_hand == 0
    variant = api.get(f"variants/{skus['MER-M']}").json()
    assert variant["stock"] == [
        {"location_id": default_location.pk, "on_hand": 0, "incoming": 0},
        {"location_id": shop.pk, "on_hand": 4, "incoming": 0},
    ]


@pytest.mark.parametrize(
    "reason", ["received", "sold", "returned", "damaged", "lost", "correction", "count"]
)
def test_every_listed_reason_is_accepted(api, skus, reason):
    api.adjust(5, sku="SOCK-1")

    response = adjust(api, sku="SOCK-1", quantity=-1, reason=reason)

    assert response.status_code == 201, response.content
    assert response.json()["adjustment"]["reason"] == reason


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sku": "MER-M", "quantity": 0}, "quantity"),
        ({"sku": "MER-M", "quantity": "5"}, "quantity"),
        ({"sku": "MER-M", "quantity": 1.5}, "quantity"),
        ({"sku": "MER-M", "quantity": 5.0}, "quantity"),
        ({"sku": "MER-M", "quantity": True}, "quantity"),
        ({"sku": "MER-M", "quantity": None}, "quantity"),
        ({"sku": "MER-M"}, "quantity"),
        ({"sku": "MER-M", "quantity": 1_000_001}, "quantity"),
        ({"sku": "MER-M", "quantity": 1, "reason": "stolen"}, "reason"),
        ({"sku": "MER-M", "quantity": 1, "reason": "RECEIVED"}, "reason"),
        ({"sku": "MER-M", "quantity": 1, "reason": None}, "reason"),
        ({"sku": "MER-M", "quantity": 1, "note": "n" * 501}, "note"),
        ({"sku": "MER-M", "quantity": 1, "expected_on_hand": -1}, "expected_on_hand"),
        ({"sku": "MER-M", "quantity": 1, "expected_on_hand": "0"}, "expected_on_hand"),
        ({"sku": "MER-M", "quantity": 1, "location_id": "1"}, "location_id"),
        ({"variant_id": "1", "quantity": 1}, "variant_id"),
        ({"sku": "MER-M", "quantity": 1, "colour": "red"}, "colour"),
    ],
)
def test_adjustment_bodies_are_validated(api, skus, body, field):
    body.setdefault("reason", "received")
    before = snapshot(api.workspace)

    assert_fields(api.post("stock/adjustments", body), field)
    assert snapshot(api.workspace) == before


def test_reason_is_required(api, skus):
    assert_fields(api.post("stock/adjustments", {"sku": "MER-M", "quantity": 1}), "reason")


@pytest.mark.parametrize("which", ["both", "neither"])
def test_exactly_one_of_variant_id_and_sku(api, skus, which):
    body = {"quantity": 1}
    if which == "both":
        body.update(sku="MER-M", variant_id=skus["MER-M"])
    before = snapshot(api.workspace)

    fields = assert_fields(adjust(api, **body))

    assert {"variant_id", "sku"} & set(fields)
    assert snapshot(api.workspace) == before


def test_unknown_variant_sku_or_location_name_the_field(api, skus, other_api):
    theirs = other_api.create_product("Theirs", ["THEIRS-1"])
    their_location = other_api.post("locations", {"name": "Their shop"}).json()
    before = snapshot(api.workspace)

    assert_fields(adjust(api, variant_id=999999, quantity=1), "variant_id")
    assert_fields(adjust(api, variant_id=theirs["variants"][0]["id"], quantity=1), "variant_id")
    assert_fields(adjust(api, sku="NOPE", quantity=1), "sku")
    assert_fields(adjust(api, sku="THEIRS-1", quantity=1), "sku")
    assert_fields(adjust(api, sku="MER-M", quantity=1, location_id=999999), "location_id")
    assert_fields(
        adjust(api, sku="MER-M", quantity=1, location_id=their_location["id"]), "location_id"
    )
    assert snapshot(api.workspace) == before
    assert StockAdjustment.objects.filter(workspace=api.workspace).count() == 0


def test_going_below_zero_is_409_and_changes_nothing(api, skus):
    api.adjust(3, sku="MER-M")
    before = snapshot(api.workspace)
    events = DomainEvent.objects.filter(workspace=api.workspace).count()

    response = adjust(api, sku="MER-M", quantity=-4, reason="sold")

    assert_error(response, 409, "insufficient_stock")
    assert snapshot(api.workspace) == before
    assert DomainEvent.objects.filter(workspace=api.workspace).count() == events
    # Exactly to zero is fine.
    to_zero = adjust(api, sku="MER-M", quantity=-3, reason="sold")
    assert to_zero.status_code == 201
    assert to_zero.json()["level"]["on_hand"] == 0


def test_taking_from_a_location_with_no_level_yet_is_409_and_creates_nothing(api, skus, shop):
    before = snapshot(api.workspace)

    response = adjust(api, sku="MER-M", quantity=-1, location_id=shop.pk, reason="sold")

    assert_error(response, 409, "insufficient_stock")
    assert snapshot(api.workspace) == before
    assert not StockLevel.objects.filter(location=shop).exists()


def test_expected_on_hand_compare_and_set(api, skus):
    api.adjust(5, sku="MER-M")

    matched = adjust(api, sku="MER-M", quantity=2, expected_on_hand=5)
    assert matched.status_code == 201, matched.content
    assert matched.json()["level"]["on_hand"] == 7

    before = snapshot(api.workspace)
    stale = adjust(api, sku="MER-M", quantity=2, expected_on_hand=5)
    assert_error(stale, 409, "stock_changed")
    assert snapshot(api.workspace) == before

    zero = adjust(api, sku="SOCK-1", quantity=1, expected_on_hand=0)
    assert zero.status_code == 201


# --- GET stock/adjustments: the ledger ---------------------------------------------------------


def test_the_ledger_lists_every_adjustment_oldest_first(api, skus, default_location, shop):
    api.adjust(10, sku="MER-M", note="first delivery")
    api.adjust(-2, sku="MER-M", reason="sold")
    api.adjust(4, sku="MER-L", location_id=shop.pk, reason="returned")

    ledger = results(api.get("stock/adjustments"))

    assert [set(entry) for entry in ledger] == [ENTRY_FIELDS] * 3
    assert [
        (
            e["sku"],
            e["variant_id"],
            e["location_id"],
            e["quantity"],
            e["on_hand_after"],
            e["reason"],
        )
        for e in ledger
    ] == [
        ("MER-M", skus["MER-M"], default_location.pk, 10, 10, "received"),
        ("MER-M", skus["MER-M"], default_location.pk, -2, 8, "sold"),
        ("MER-L", skus["MER-L"], shop.pk, 4, 4, "returned"),
    ]
    assert ledger[0]["note"] == "first delivery"
    assert ledger[1]["note"] == ""
    assert all(
        e["source"] == {"type": "api_key", "id": api.key.pk, "name": "ERP sync"} for e in ledger
    )
    assert all(e["created_at"].endswith("Z") for e in ledger)


def test_the_ledger_names_the_key_that_made_each_change(api, skus, client):
    second = ApiClient.for_workspace(client, api.workspace, name="Shopify bridge")
    api.adjust(5, sku="MER-M")
    second.adjust(-1, sku="MER-M", reason="sold")

    ledger = results(api.get("stock/adjustments"))

    assert [e["source"]["name"] for e in ledger] == ["ERP sync", "Shopify bridge"]
    assert [e["source"]["id"] for e in ledger] == [api.key.pk, second.key.pk]


def test_ledger_filters(api, skus, default_location, shop):
    api.adjust(10, sku="MER-M")
    api.adjust(-2, sku="MER-M", reason="sold")
    api.adjust(4, sku="MER-L", location_id=shop.pk, reason="returned")
    api.adjust(1, sku="SOCK-1", reason="count")
    first, second, third, fourth = StockAdjustment.objects.order_by("id")
    StockAdjustment.objects.filter(pk=first.pk).update(created_at=datetime(2025, 1, 1, tzinfo=UTC))
    StockAdjustment.objects.filter(pk=second.pk).update(created_at=datetime(2025, 6, 1, tzinfo=UTC))

    def entry_ids(params):
        return [e["id"] for e in results(api.get("stock/adjustments", params))]

    assert entry_ids({"variant_id": skus["MER-M"]}) == [first.pk, second.pk]
    assert entry_ids({"sku": "MER-L"}) == [third.pk]
    assert entry_ids({"sku": "MER"}) == []
    assert entry_ids({"location_id": shop.pk}) == [third.pk]
    assert entry_ids({"location_id": default_location.pk}) == [first.pk, second.pk, fourth.pk]
    assert entry_ids({"reason": "sold"}) == [second.pk]
    assert entry_ids({"reason": "count"}) == [fourth.pk]
    assert entry_ids({"created_before": "2025-03-01T00:00:00Z"}) == [first.pk]
    assert entry_ids({"created_after": "2025-03-01T00:00:00Z"}) == [
        second.pk,
        third.pk,
        fourth.pk,
    ]
    assert entry_ids(
        {"created_after": "2024-12-31T00:00:00Z", "created_before": "2025-12-31T00:00:00Z"}
    ) == [first.pk, second.pk]
    recent = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert entry_ids({"created_after": recent, "sku": "SOCK-1"}) == [fourth.pk]


@pytest.mark.parametrize(
    ("param", "value"),
    [("reason", "stolen"), ("variant_id", "abc"), ("created_after", "last week")],
)
def test_ledger_filters_are_validated(api, skus, param, value):
    assert_fields(api.get("stock/adjustments", {param: value}), param)


# --- POST stock/adjustments/batch --------------------------------------------------------------


def test_a_batch_applies_every_line_in_order(api, skus, shop):
    lines = [
        {"sku": "MER-M", "quantity": 10, "reason": "received"},
        {"variant_id": skus["MER-L"], "quantity": 4, "reason": "received"},
        {"sku": "MER-M", "quantity": -3, "reason": "sold", "note": "order 7"},
        {"sku": "SOCK-1", "quantity": 2, "reason": "received", "location_id": shop.pk},
    ]

    response = api.post("stock/adjustments/batch", {"adjustments": lines})

    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == ["adjustments"]
    assert len(body["adjustments"]) == 4
    assert all(set(item) == {"adjustment", "level"} for item in body["adjustments"])
    entries = [item["adjustment"] for item in body["adjustments"]]
    assert [(e["sku"], e["quantity"], e["on_hand_after"]) for e in entries] == [
        ("MER-M", 10, 10),
        ("MER-L", 4, 4),
        ("MER-M", -3, 7),
        ("SOCK-1", 2, 2),
    ]
    assert entries[2]["note"] == "order 7"
    assert body["adjustments"][3]["level"]["location_id"] == shop.pk
    assert StockAdjustment.objects.filter(workspace=api.workspace).count() == 4
    assert StockLevel.objects.get(variant_id=skus["MER-M"], location__is_default=True).on_hand == 7


@pytest.mark.parametrize("body", [{"adjustments": []}, {}, {"adjustments": "all"}])
def test_an_empty_batch_is_400(api, skus, body):
    assert_fields(api.post("stock/adjustments/batch", body), "adjustments")


def test_a_batch_of_101_is_400_and_100_is_fine(api, skus):
    line = {"sku": "SOCK-1", "quantity": 1, "reason": "received"}

    too_many = api.post("stock/adjustments/batch", {"adjustments": [line] * 101})
    assert_fields(too_many, "adjustments")
    assert StockAdjustment.objects.filter(workspace=api.workspace).count() == 0

    most = api.post("stock/adjustments/batch", {"adjustments": [line] * 100})
    assert most.status_code == 201, most.content
    assert StockLevel.objects.get(variant_id=skus["SOCK-1"]).on_hand == 100


def test_a_batch_failing_on_line_3_of_5_writes_nothing(api, skus):
    api.adjust(5, sku="MER-M")
    api.adjust(1, sku="MER-L")
    before = snapshot(api.workspace)
    events = DomainEvent.objects.filter(workspace=api.workspace).count()
    lines = [
        {"sku": "MER-M", "quantity": -2, "reason": "sold"},
        {"sku": "SOCK-1", "quantity": 8, "reason": "received"},
        {"sku": "MER-L", "quantity": -2, "reason": "sold"},  # only 1 on hand
        {"sku": "MER-M", "quantity": 1, "reason": "returned"},
        {"sku": "SOCK-1", "quantity": -1, "reason": "sold"},
    ]

    response = api.post("stock/adjustments/batch", {"adjustments": lines})

    error = assert_error(response, 409, "insufficient_stock")
    assert "line 3" in error["message"]
    assert snapshot(api.workspace) == before
    assert DomainEvent.objects.filter(workspace=api.workspace).count() == events


def test_a_batch_sees_its_own_earlier_lines(api, skus):
    lines = [
        {"sku": "SOCK-1", "quantity": 3, "reason": "received"},
        {"sku": "SOCK-1", "quantity": -3, "reason": "sold"},
    ]

    response = api.post("stock/adjustments/batch", {"adjustments": lines})

    assert response.status_code == 201, response.content
    assert [item["adjustment"]["on_hand_after"] for item in response.json()["adjustments"]] == [
        3,
        0,
    ]


def test_a_batch_with_a_stale_expected_on_hand_writes_nothing(api, skus):
    api.adjust(5, sku="MER-M")
    before = snapshot(api.workspace)
    lines = [
        {"sku": "SOCK-1", "quantity": 1, "reason": "received"},
        {"sku": "MER-M", "quantity": 1, "reason": "received", "expected_on_hand": 4},
    ]

    assert_error(api.post("stock/adjustments/batch", {"adjustments": lines}), 409, "stock_changed")
    assert snapshot(api.workspace) == before


def test_a_batch_names_the_unknown_sku_by_its_line(api, skus):
    lines = [
        {"sku": "MER-M", "quantity": 1, "reason": "received"},
        {"sku": "NOPE", "quantity": 1, "reason": "received"},
        {"sku": "MER-L", "quantity": 1, "reason": "received"},
    ]

    fields = assert_fields(
        api.post("stock/adjustments/batch", {"adjustments": lines}), "adjustments.1.sku"
    )

    assert "adjustments.0.sku" not in fields
    assert StockAdjustment.objects.filter(workspace=api.workspace).count() == 0


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"sku": "MER-M", "quantity": 0, "reason": "sold"}, "adjustments.2.quantity"),
        ({"sku": "MER-M", "quantity": 1, "reason": "stolen"}, "adjustments.2.reason"),
        ({"variant_id": 999999, "quantity": 1, "reason": "sold"}, "adjustments.2.variant_id"),
        (
            {"sku": "MER-M", "quantity": 1, "reason": "sold", "location_id": 999999},
            "adjustments.2.location_id",
        ),
        ({"sku": "MER-M", "quantity": 1, "reason": "sold", "oops": 1}, "adjustments.2.oops"),
    ],
)
def test_batch_line_errors_are_named_by_index(api, skus, line, field):
    good = {"sku": "SOCK-1", "quantity": 1, "reason": "received"}

    response = api.post("stock/adjustments/batch", {"adjustments": [good, good, line]})

    assert_fields(response, field)
    assert StockAdjustment.objects.filter(workspace=api.workspace).count() == 0


# --- Read-only keys ----------------------------------------------------------------------------


@pytest.fixture
def everything(api, skus, shop):
    api.adjust(5, sku="MER-M")
    product = Product.objects.get(workspace=api.workspace, name="Merino crew")
    return {"product": product.pk, "variant": skus["MER-M"], "location": shop.pk}


def test_a_read_only_key_reads_everything(read_only_api, everything):
    paths = [
        "products",
        f"products/{everything['product']}",
        f"products/{everything['product']}/variants",
        f"variants/{everything['variant']}",
        "locations",
        f"locations/{everything['location']}",
        "stock",
        "stock/adjustments",
    ]

    for path in paths:
        response = read_only_api.get(path)
        assert response.status_code == 200, (path, response.content)
    assert len(read_only_api.get("stock/adjustments").json()["results"]) == 1


def read_only_writes(ids):
    p, v = ids["product"], ids["variant"]
    line = {"sku": "MER-M", "quantity": -1, "reason": "sold"}
    return [
        ("post", "products", {"name": "New", "variants": [{"sku": "NEW-1"}]}),
        ("patch", f"products/{p}", {"name": "Renamed"}),
        ("post", f"products/{p}/archive", None),
        ("post", f"products/{p}/unarchive", None),
        ("post", f"products/{p}/variants", {"sku": "NEW-2"}),
        ("patch", f"variants/{v}", {"reorder_point": 50}),
        ("post", f"variants/{v}/archive", None),
        ("post", f"variants/{v}/unarchive", None),
        ("post", "locations", {"name": "Attic"}),
        ("post", "stock/adjustments", line),
        ("post", "stock/adjustments/batch", {"adjustments": [line]}),
    ]


def test_a_read_only_key_writes_nothing(read_only_api, everything):
    before = snapshot(read_only_api.workspace)
    events = DomainEvent.objects.filter(workspace=read_only_api.workspace).count()
    product_before = Product.objects.values("name", "status").get(pk=everything["product"])
    variant_status = Variant.objects.get(pk=everything["variant"]).status

    for method, path, body in read_only_writes(everything):
        response = getattr(read_only_api, method)(path, body)
        error = assert_error(response, 403, "insufficient_scope")
        assert "read-only" in error["message"], path

    assert snapshot(read_only_api.workspace) == before
    assert DomainEvent.objects.filter(workspace=read_only_api.workspace).count() == events
    assert Product.objects.values("name", "status").get(pk=everything["product"]) == product_before
    assert Variant.objects.get(pk=everything["variant"]).status == variant_status


def test_the_same_writes_work_with_a_read_write_key(api, everything):
    """The read-only test above would pass for a broken endpoint too: prove each one writes."""
    statuses = [
        getattr(api, method)(path, body).status_code
        for method, path, body in read_only_writes(everything)
    ]

    assert statuses == [201, 200, 200, 200, 201, 200, 200, 200, 201, 201, 201]


# --- Idempotency-Key ---------------------------------------------------------------------------


def test_an_idempotent_product_create_replays_and_writes_once(api, default_location):
    body = {"name": "Merino crew", "variants": [{"sku": "MER-1", "price": "19.90"}]}

    first = api.post("products", body, HTTP_IDEMPOTENCY_KEY="create-mer-1")
    retry = api.post("products", body, HTTP_IDEMPOTENCY_KEY="create-mer-1")

    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Product.objects.filter(workspace=api.workspace).count() == 1
    created = DomainEvent.objects.filter(workspace=api.workspace, type="product.created")
    assert created.count() == 1

    other = api.post(
        "products", {**body, "name": "Something else"}, HTTP_IDEMPOTENCY_KEY="create-mer-1"
    )
    assert_error(other, 422, "idempotency_key_reused")
    assert Product.objects.filter(workspace=api.workspace).count() == 1


def test_an_idempotent_adjustment_replays_and_writes_once(api, skus):
    body = {"sku": "MER-M", "quantity": 4, "reason": "received"}

    first = api.post("stock/adjustments", body, HTTP_IDEMPOTENCY_KEY="delivery-77")
    retry = api.post("stock/adjustments", body, HTTP_IDEMPOTENCY_KEY="delivery-77")

    assert first.status_code == 201, first.content
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert StockAdjustment.objects.filter(workspace=api.workspace).count() == 1
    assert StockLevel.objects.get(variant_id=skus["MER-M"]).on_hand == 4

    other = api.post(
        "stock/adjustments", {**body, "quantity": 5}, HTTP_IDEMPOTENCY_KEY="delivery-77"
    )
    assert_error(other, 422, "idempotency_key_reused")
    assert StockAdjustment.objects.filter(workspace=api.workspace).count() == 1
    assert StockLevel.objects.get(variant_id=skus["MER-M"]).on_hand == 4

    # A new key is a new adjustment.
    again = api.post("stock/adjustments", body, HTTP_IDEMPOTENCY_KEY="delivery-78")
    assert again.status_code == 201
    assert again.json()["level"]["on_hand"] == 8


def test_an_idempotent_refusal_is_replayed_too(api, skus):
    body = {"sku": "MER-M", "quantity": -1, "reason": "sold"}
    first = api.post("stock/adjustments", body, HTTP_IDEMPOTENCY_KEY="sale-9")
    assert_error(first, 409, "insufficient_stock")
    api.adjust(5, sku="MER-M")

    retry = api.post("stock/adjustments", body, HTTP_IDEMPOTENCY_KEY="sale-9")

    assert_error(retry, 409, "insufficient_stock")
    assert retry["Idempotent-Replayed"] == "true"
    assert StockLevel.objects.get(variant_id=skus["MER-M"]).on_hand == 5
    assert StockAdjustment.objects.filter(workspace=api.workspace).count() == 1
