"""Search (``q=``) and the SKU filters: correct on every database, scoped to the key's workspace
(SKUs are unique per workspace only), and on PostgreSQL answered from trigram indexes."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from inventory.models import Product, Variant


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


@pytest.fixture
def catalogue(api, other_api):
    """Ours: three products, the hoodie archived. Theirs: names and SKUs that would match."""
    crew = api.create_product("Merino crew", ["MER-CREW-M", "MER-CREW-L"])
    sock = api.create_product("Hiking sock", ["SOCK-42"])
    old = api.create_product("Old hoodie", ["HOOD-OLD"])
    assert api.post(f"products/{old['id']}/archive").status_code == 200
    theirs = other_api.create_product("Merino hiking sock", ["SOCK-42", "MER-CREW-M", "HOOD-X"])
    return {"crew": crew["id"], "sock": sock["id"], "old": old["id"], "theirs": theirs["id"]}


def search(api, q, **params) -> list[int]:
    return ids(api.get("products", {"q": q, **params}))


@pytest.mark.parametrize("q", ["merino", "MERINO", "eRiNo C", "crew"])
def test_q_matches_a_name_fragment_in_any_case(api, catalogue, q):
    assert search(api, q) == [catalogue["crew"]]


@pytest.mark.parametrize("q", ["mer-crew-l", "CREW-L", "sock-4"])
def test_q_matches_a_variant_sku_fragment_in_any_case(api, catalogue, q):
    assert search(api, q) == [catalogue["crew" if "crew" in q.lower() else "sock"]]


def test_a_product_matching_by_name_and_by_several_skus_is_listed_once(api, catalogue):
    assert search(api, "mer") == [catalogue["crew"]]
    assert search(api, "-") == [catalogue["crew"], catalogue["sock"]]


@pytest.mark.parametrize(
    ("q", "expected"), [("ck", ["sock"]), ("o", ["crew", "sock"]), ("4", ["sock"])]
)
def test_q_shorter_than_a_trigram_still_matches(api, catalogue, q, expected):
    assert search(api, q) == [catalogue[name] for name in expected]


def test_q_treats_percent_and_underscore_as_text(api):
    wool = api.create_product("100% wool", ["WOOL_1"])
    api.create_product("Wool 100", ["WOOL-2"])

    assert search(api, "%") == [wool["id"]]
    assert search(api, "0% w") == [wool["id"]]
    assert search(api, "_") == [wool["id"]]
    assert search(api, "l_1") == [wool["id"]]


def test_q_never_matches_another_workspaces_names_or_skus(api, other_api, catalogue):
    assert search(api, "merino hiking") == []
    assert search(api, "hood-x") == []
    assert search(api, "hood", status="all") == [catalogue["old"]]
    assert search(other_api, "mer-crew") == [catalogue["theirs"]]
    assert search(other_api, "crew") == [catalogue["theirs"]]  # our name, their SKU


def test_q_keeps_the_status_filter(api, catalogue):
    assert search(api, "hoodie") == []
    assert search(api, "hood-old") == []
    assert search(api, "hoodie", status="archived") == [catalogue["old"]]
    assert search(api, "o", status="all") == [
        catalogue["crew"],
        catalogue["sock"],
        catalogue["old"],
    ]
    assert search(api, "o", status="archived") == [catalogue["old"]]


def test_q_and_sku_together_must_both_match(api, catalogue):
    assert search(api, "crew", sku="MER-CREW-L") == [catalogue["crew"]]
    assert search(api, "sock", sku="MER-CREW-L") == []


def test_sku_filter_never_matches_the_same_sku_in_another_workspace(api, other_api, catalogue):
    assert ids(api.get("products", {"sku": "SOCK-42"})) == [catalogue["sock"]]
    assert ids(other_api.get("products", {"sku": "SOCK-42"})) == [catalogue["theirs"]]
    assert ids(api.get("products", {"sku": "HOOD-X"})) == []


def test_stock_and_ledger_sku_filters_never_match_another_workspaces_sku(api, other_api, catalogue):
    ours = api.adjust(3, sku="SOCK-42")
    theirs = other_api.adjust(5, sku="SOCK-42")
    other_api.adjust(2, sku="HOOD-X")

    ours_level = api.get("stock", {"sku": "SOCK-42"}).json()["results"]
    assert [(level["sku"], level["on_hand"]) for level in ours_level] == [("SOCK-42", 3)]
    assert api.get("stock", {"sku": "HOOD-X"}).json()["results"] == []
    assert ids(api.get("stock/adjustments", {"sku": "SOCK-42"})) == [ours["adjustment"]["id"]]
    assert ids(other_api.get("stock/adjustments", {"sku": "SOCK-42"})) == [
        theirs["adjustment"]["id"]
    ]
    assert ids(api.get("stock/adjustments", {"sku": "HOOD-X"})) == []


# --- PostgreSQL: the trigram indexes exist and the planner can answer q= from them ---------------


def _index_definitions(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "index", "expression"),
    [
        ("inventory_product", "inventory_product_name_trgm", "upper((name)::text) gin_trgm_ops"),
        ("inventory_variant", "inventory_variant_sku_trgm", "upper((sku)::text) gin_trgm_ops"),
    ],
)
def test_the_migration_created_the_trigram_indexes(table, index, expression):
    definition = _index_definitions(table)[index]

    assert "USING gin" in definition
    assert expression in definition


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("index", ["inventory_product_name_trgm", "inventory_variant_sku_trgm"])
def test_the_trigram_indexes_keep_no_pending_list(index):
    """A search scans GIN's pending list whole: these indexes take rows in at insert time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [index])
        assert cursor.fetchone() == (["fastupdate=off"],)


@pytest.mark.postgres
def test_the_q_query_can_be_answered_from_the_trigram_indexes(api, catalogue):
    """The planner may use the indexes for the query the list runs. Test tables are small, so
    the plan is nudged the way a big workspace would: no sequential scans, and testing a row's
    text made costly (with 50k products per workspace it picks them unaided; see the note)."""
    filler = Product.objects.bulk_create(
        Product(workspace=api.workspace, name=f"Filler {n}") for n in range(2000)
    )
    Variant.objects.bulk_create(
        Variant(workspace=api.workspace, product=product, sku=f"FILL-{product.pk}")
        for product in filler
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inventory_product, inventory_variant")
    with CaptureQueriesContext(connection) as queries:
        assert search(api, "merino") == [catalogue["crew"]]
    [listing] = [q["sql"] for q in queries.captured_queries if "LIKE UPPER" in q["sql"]]

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL cpu_operator_cost = 1")
        cursor.execute("EXPLAIN " + listing)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Bitmap Index Scan on inventory_product_name_trgm" in plan, plan
    assert "Bitmap Index Scan on inventory_variant_sku_trgm" in plan, plan
