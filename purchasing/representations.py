"""The one shape of suppliers and purchase orders: what the API answers and the ``data.object``
of the purchase-order events. Built from rows like inventory's (``inventory.representations``):
a page of orders is one query, and all their lines one more, joined in Python."""

from collections import defaultdict

from inventory.representations import Representer, datetime_writer, money_text
from purchasing.models import PurchaseOrder, PurchaseOrderLine

SUPPLIER_COLUMNS = (
    "id", "name", "email", "phone", "address", "currency", "lead_time_days", "notes",
    "created_at", "updated_at",
)  # fmt: skip


def suppliers_represent(rows: list[dict]) -> list[dict]:
    when = datetime_writer()
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "email": row["email"] or None,
            "phone": row["phone"],
            "address": row["address"],
            "currency": row["currency"],
            "lead_time_days": row["lead_time_days"],
            "notes": row["notes"],
            "created_at": when(row["created_at"]),
            "updated_at": when(row["updated_at"]),
        }
        for row in rows
    ]


SUPPLIERS = Representer(SUPPLIER_COLUMNS, suppliers_represent)

LINE_COLUMNS = (
    "id", "order_id", "variant_id", "variant__sku", "quantity", "quantity_received", "unit_cost",
)  # fmt: skip


def _lines_of(order_ids: list[int]) -> dict[int, list[dict]]:
    """Each order's lines, in id order: one query for all the orders."""
    lines = defaultdict(list)
    rows = (
        PurchaseOrderLine.objects.filter(order_id__in=order_ids)
        .order_by("order_id", "id")
        .values_list(*LINE_COLUMNS)
    )
    for pk, order_id, variant_id, sku, quantity, received, unit_cost in rows:
        lines[order_id].append(
            {
                "id": pk,
                "variant_id": variant_id,
                "sku": sku,
                "quantity": quantity,
                "quantity_received": received,
                "unit_cost": money_text(unit_cost),
            }
        )
    return lines


ORDER_COLUMNS = (
    "id", "number", "supplier_id", "location_id", "status", "expected_date", "notes",
    "created_at", "updated_at",
)  # fmt: skip


def orders_represent(rows: list[dict]) -> list[dict]:
    """Orders with their lines."""
    if not rows:
        return []
    when = datetime_writer()
    lines = _lines_of([row["id"] for row in rows])
    return [
        {
            "id": row["id"],
            "number": row["number"],
            "supplier_id": row["supplier_id"],
            "location_id": row["location_id"],
            "status": row["status"],
            "expected_date": row["expected_date"].isoformat() if row["expected_date"] else None,
            "notes": row["notes"],
            "lines": lines.get(row["id"], []),
            "created_at": when(row["created_at"]),
            "updated_at": when(row["updated_at"]),
        }
        for row in rows
    ]


ORDERS = Representer(ORDER_COLUMNS, orders_represent)


def order_represent(pk: int) -> dict:
    """One order as it is now, with its lines (two queries)."""
    return ORDERS.one(PurchaseOrder.objects.all(), pk)
