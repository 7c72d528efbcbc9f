"""The baselines: bare Django views, served by the same gunicorn, settings and middleware as
the app, that do the least an endpoint must. Only the benchmark mounts them (bench/urls.py and
bench/bare_urls.py); the app never imports this package."""

import json
from functools import lru_cache
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from inventory.models import Variant
from salync.settings import env

# The columns of the plain 100-row list: one table, no join, no nesting.
VARIANT_COLUMNS = (
    "id",
    "product_id",
    "sku",
    "name",
    "options",
    "barcode",
    "price",
    "cost",
    "reorder_point",
    "status",
    "created_at",
    "updated_at",
)

LOCK_LEVEL = """
    SELECT level.id, level.on_hand, level.variant_id, level.location_id
    FROM inventory_stocklevel level
    JOIN inventory_variant variant ON variant.id = level.variant_id
    JOIN inventory_location location ON location.id = level.location_id
    WHERE variant.workspace_id = %s AND variant.sku = %s AND location.is_default
    FOR UPDATE OF level
"""
UPDATE_LEVEL = "UPDATE inventory_stocklevel SET on_hand = %s, updated_at = now() WHERE id = %s"
INSERT_LEDGER_ROW = """
    INSERT INTO inventory_stockadjustment (workspace_id, level_id, variant_id, location_id,
        quantity, on_hand_after, reason, note, source_type, source_id, source_name,
        source_reference, created_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, '', 'system', NULL, 'bench bare view', '', now())
    RETURNING id
"""


def _json(data, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder), status=status, content_type="application/json"
    )


@lru_cache(maxsize=1)
def _product_bytes() -> bytes:
    # Written by the harness from the app's own answer before the first request here.
    return Path(env.str_("SALYNC_BENCH_PRODUCT_JSON")).read_bytes()


@login_not_required
def ping(request):
    return HttpResponse(b"ok", content_type="text/plain")


@login_not_required
def product(request):
    """The same JSON bytes as the app's product GET, with no key, no limits, no query."""
    return HttpResponse(_product_bytes(), content_type="application/json")


@login_not_required
def variants(request, workspace_id: int):
    """100 rows of one table as JSON: one query, no nesting."""
    rows = Variant.objects.filter(workspace_id=workspace_id).order_by("id")
    return _json({"results": list(rows.values(*VARIANT_COLUMNS)[:100])})


@csrf_exempt
@login_not_required
def adjust(request, workspace_id: int):
    """The stock adjustment's transaction in raw SQL: lock the level, update it, insert the
    ledger row. Same body as ``POST stock/adjustments`` (``sku``, ``quantity``, ``reason``)."""
    body = json.loads(request.body)
    quantity = int(body["quantity"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LOCK_LEVEL, [workspace_id, body["sku"]])
        row = cursor.fetchone()
        if row is None:
            return _json({"error": "unknown sku"}, status=404)
        level_id, on_hand, variant_id, location_id = row
        after = on_hand + quantity
        if after < 0:
            return _json({"error": "insufficient stock"}, status=409)
        cursor.execute(UPDATE_LEVEL, [after, level_id])
        cursor.execute(
            INSERT_LEDGER_ROW,
            [workspace_id, level_id, variant_id, location_id, quantity, after, body["reason"]],
        )
        (adjustment_id,) = cursor.fetchone()
    return _json({"adjustment_id": adjustment_id, "on_hand": after}, status=201)


urlpatterns = [
    path("_bench/ping", ping),
    path("_bench/product", product),
    path("_bench/workspaces/<int:workspace_id>/variants", variants),
    path("_bench/workspaces/<int:workspace_id>/adjust", adjust),
]
