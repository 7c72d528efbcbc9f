"""``core.sql.CompiledQuery`` answers exactly what the ORM answers, compiling once per shape."""

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.db.models import F, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext

from core import sql
from core.sql import CompiledQuery
from inventory.models import Location, StockLevel, Variant
from tests.factories import LocationFactory, ProductFactory, make_workspace

pytestmark = pytest.mark.django_db

VARIANT_COLUMNS = ("id", "sku", "options", "price", "status", "created_at", "updated_at")


def _variants(workspace_id, ids):
    return Variant.objects.filter(workspace_id=workspace_id, pk__in=ids).order_by("id")


BY_IDS = CompiledQuery(
    lambda workspace_id, ids: _variants(workspace_id, ids).values(*VARIANT_COLUMNS)
)


@pytest.fixture
def catalogue():
    workspace = make_workspace("Compiled Co")
    products = [
        ProductFactory(
            workspace=workspace,
            variants=[{"sku": f"C-{n}", "price": "12.50", "options": {"size": ["S", "M"][n % 2]}}],
        )
        for n in range(4)
    ]
    return workspace, [product.variants.get() for product in products]


def test_rows_are_the_orms_values_with_the_same_types(catalogue):
    workspace, variants = catalogue
    ids = [variant.pk for variant in variants[:3]]

    rows = BY_IDS.rows(workspace_id=workspace.pk, ids=ids)

    assert rows == list(_variants(workspace.pk, ids).values(*VARIANT_COLUMNS))
    assert rows[0]["price"] == Decimal("12.50")  # converted as the ORM converts
    assert rows[0]["options"] == {"size": "S"}  # JSON decoded
    assert rows[0]["created_at"].tzinfo is not None


def test_annotations_keep_their_place_among_the_columns(catalogue):
    workspace, variants = catalogue

    def build(workspace_id, ids):
        return (
            _variants(workspace_id, ids)
            .annotate(double=F("reorder_point") * 2)
            .values("id", "double", "sku", "created_at")
        )

    query = CompiledQuery(build)
    ids = [variants[0].pk]

    assert query.rows(workspace_id=workspace.pk, ids=ids) == list(build(workspace.pk, ids))
    assert list(query.rows(workspace_id=workspace.pk, ids=ids)[0]) == [
        "id", "double", "sku", "created_at"
    ]  # fmt: skip


def test_new_values_reuse_the_sql_and_the_scope_still_applies(catalogue):
    workspace, variants = catalogue
    other = make_workspace("Other Co")

    first = BY_IDS.rows(workspace_id=workspace.pk, ids=[variants[0].pk, variants[1].pk])
    second = BY_IDS.rows(workspace_id=workspace.pk, ids=[variants[2].pk, variants[3].pk])
    elsewhere = BY_IDS.rows(workspace_id=other.pk, ids=[variants[0].pk, variants[1].pk])

    assert [row["sku"] for row in first] == ["C-0", "C-1"]
    assert [row["sku"] for row in second] == ["C-2", "C-3"]
    assert elsewhere == []  # another workspace's ids are not found
    assert len(BY_IDS._compiled[connections["default"]]) >= 1
    shapes = [
        shape for shape in BY_IDS._compiled[connections["default"]] if ("ids", 2, int) in shape
    ]
    assert len(shapes) == 1  # one compiled shape served all three


def test_one_query_per_call(catalogue, django_assert_num_queries):
    workspace, variants = catalogue
    BY_IDS.rows(workspace_id=workspace.pk, ids=[variants[0].pk])  # compiled here

    with django_assert_num_queries(1):
        BY_IDS.rows(workspace_id=workspace.pk, ids=[variants[1].pk])


def test_each_list_length_is_its_own_shape(catalogue):
    workspace, variants = catalogue
    ids = [variant.pk for variant in variants]

    for length in range(1, 5):
        rows = BY_IDS.rows(workspace_id=workspace.pk, ids=ids[:length])
        assert [row["id"] for row in rows] == ids[:length]


def test_string_parameters(catalogue):
    workspace, _ = catalogue
    by_sku = CompiledQuery(
        lambda workspace_id, skus: (
            Variant.objects.filter(workspace_id=workspace_id, sku__in=skus)
            .order_by("sku")
            .values("sku")
        )
    )

    assert by_sku.rows(workspace_id=workspace.pk, skus=["C-3", "C-1", "NOPE"]) == [
        {"sku": "C-1"},
        {"sku": "C-3"},
    ]


def test_a_parameter_used_twice_is_filled_in_everywhere(catalogue):
    workspace, variants = catalogue
    # The workspace id is a parameter of the outer query and of the subquery.
    levels = StockLevel.objects.filter(workspace_id=OuterRef("workspace_id"))
    query = CompiledQuery(
        lambda workspace_id: (
            Variant.objects.filter(workspace_id=workspace_id)
            .alias(level=Subquery(levels.filter(workspace_id=workspace_id).values("pk")[:1]))
            .filter(level__isnull=False)
            .order_by("id")
            .values("id")
        )
    )

    assert [row["id"] for row in query.rows(workspace_id=workspace.pk)] == [
        variant.pk for variant in variants
    ]
    assert query.rows(workspace_id=make_workspace("Empty Co").pk) == []


def test_instances_are_what_the_orm_loads(catalogue):
    workspace, _ = catalogue
    columns = [field.attname for field in Location._meta.concrete_fields]
    LocationFactory(workspace=workspace, name="Back room")
    query = CompiledQuery(
        lambda workspace_id: (
            Location.objects.filter(workspace_id=workspace_id).order_by("pk").values(*columns)
        )
    )

    loaded = query.instances(Location, workspace_id=workspace.pk)

    expected = list(Location.objects.filter(workspace=workspace).order_by("pk"))
    assert loaded == expected
    assert [vars(a) | {"_state": None} for a in loaded] == [
        vars(b) | {"_state": None} for b in expected
    ]
    assert not loaded[0]._state.adding
    assert loaded[0]._state.db == "default"
    loaded[0].name = "Renamed"
    loaded[0].save(update_fields=["name"])  # a loaded instance saves as an update
    assert Location.objects.get(pk=loaded[0].pk).name == "Renamed"


def test_a_lookup_that_rewrites_its_value_cannot_be_compiled(catalogue):
    workspace, _ = catalogue
    query = CompiledQuery(
        lambda workspace_id, text: Variant.objects.filter(
            workspace_id=workspace_id, sku__icontains=text
        ).values("sku")
    )

    with pytest.raises(ValueError, match="placeholder"):
        query.rows(workspace_id=workspace.pk, text="C-")


def test_only_values_querysets_and_simple_parameters():
    with pytest.raises(ValueError, match="values"):
        CompiledQuery(lambda workspace_id: Variant.objects.filter(workspace_id=workspace_id)).rows(
            workspace_id=1
        )
    with pytest.raises(TypeError, match="only ints and strings"):
        BY_IDS.rows(workspace_id=1, ids=[1.5])


def test_shapes_per_connection_are_bounded(catalogue, monkeypatch):
    workspace, variants = catalogue
    monkeypatch.setattr(sql, "SHAPES_PER_CONNECTION", 2)
    query = CompiledQuery(
        lambda workspace_id, ids: _variants(workspace_id, ids).values("id"),
    )
    ids = [variant.pk for variant in variants]

    for length in range(1, 5):
        assert len(query.rows(workspace_id=workspace.pk, ids=ids[:length])) == length

    assert len(query._compiled[connections["default"]]) == 2  # the least recently used went


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_each_threads_connection_compiles_its_own(catalogue):
    workspace, variants = catalogue
    query = CompiledQuery(lambda workspace_id, ids: _variants(workspace_id, ids).values("sku"))
    query.rows(workspace_id=workspace.pk, ids=[variants[0].pk])
    found = []

    def other_thread():
        try:
            with CaptureQueriesContext(connections["default"]) as queries:
                found.extend(query.rows(workspace_id=workspace.pk, ids=[variants[1].pk]))
            found.append(len(queries))
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(timeout=30)

    assert found == [{"sku": "C-1"}, 1]
    assert len(query._compiled) == 2  # one entry per connection object
