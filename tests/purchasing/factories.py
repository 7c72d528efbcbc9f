"""Suppliers and purchase orders made as the product makes them: through the services."""

from decimal import Decimal

from inventory.services import location_default
from purchasing import services
from purchasing.models import OrderStatus


def make_supplier(workspace, name: str = "Highland Wool Mill", **fields):
    return services.supplier_create(workspace=workspace, name=name, **fields)


def make_order(
    workspace,
    lines: list[tuple],
    *,
    supplier=None,
    location=None,
    status: str = OrderStatus.ORDERED,
    **fields,
):
    """``lines``: (variant, quantity) or (variant, quantity, unit cost)."""
    return services.purchase_order_create(
        workspace=workspace,
        supplier=supplier or make_supplier(workspace),
        location=location or location_default(workspace),
        lines=[
            services.OrderLine(line[0], line[1], Decimal(line[2] if len(line) > 2 else "4.20"))
            for line in lines
        ],
        status=status,
        **fields,
    )
