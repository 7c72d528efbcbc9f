"""Demo purchasing for the demo workspace: three suppliers, and orders on its existing demo
variants in every state a buyer meets (open, partly received, received, a draft).
Deterministic, idempotent, through the services (the lead wires it into portal's seed_demo)."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from inventory.models import Status, Variant
from inventory.services import Actor, location_default
from purchasing import services
from purchasing.models import OrderStatus, PurchaseOrderLine, Supplier

SUPPLIERS = [
    {
        "name": "Highland Wool Mill",
        "email": "orders@highland-wool.example",
        "phone": "+44 1463 000 000",
        "address": "Mill Road 4\nInverness IV2 3XX\nUnited Kingdom",
        "currency": "GBP",
        "lead_time_days": 21,
        "notes": "Merino and lambswool knitwear. Minimum 24 units per style.",
    },
    {
        "name": "Porto Cotton Works",
        "email": "sales@portocotton.example",
        "phone": "+351 22 000 0000",
        "address": "Rua do Algodão 88\n4000-000 Porto\nPortugal",
        "currency": "EUR",
        "lead_time_days": 14,
        "notes": "Organic cotton tees and linen.",
    },
    {
        "name": "Kiln & Grain Homeware",
        "email": "wholesale@kilnandgrain.example",
        "phone": "+1 503 000 0000",
        "address": "1200 NW Front Ave\nPortland, OR 97209\nUSA",
        "currency": "USD",
        "lead_time_days": 30,
        "notes": "Stoneware, boards and candles. Ships from Oregon.",
    },
]

# (supplier index, SKU stems, quantity per line, status, days until expected, receive share)
ORDERS = [
    (0, ["MER-CREW"], 24, OrderStatus.RECEIVED, -20, None),
    (1, ["OCT-TEE"], 30, OrderStatus.PARTIALLY_RECEIVED, 3, 0.5),
    (2, ["STN-MUG", "WAL-BOARD"], 12, OrderStatus.ORDERED, 10, None),
    (0, ["WOOL-BEAN", "CSH-SCARF"], 18, OrderStatus.ORDERED, 25, None),
    (1, ["LIN-SHIRT"], 20, OrderStatus.DRAFT, 40, None),
]
DEMO_ACTOR = Actor.system("Demo data")


def _unit_cost(variant: Variant) -> Decimal:
    return variant.cost if variant.cost is not None else Decimal("5.00")


@transaction.atomic
def demo_purchasing(workspace) -> None:
    """Add the demo suppliers and orders once; a workspace that has suppliers is left alone,
    and one without demo variants gets only the suppliers."""
    if Supplier.objects.filter(workspace=workspace).exists():
        return
    suppliers = [services.supplier_create(workspace=workspace, **data) for data in SUPPLIERS]
    location = location_default(workspace)
    variants = list(
        Variant.objects.filter(workspace=workspace, status=Status.ACTIVE).order_by("pk")
    )
    today = timezone.localdate()
    for supplier_index, stems, quantity, status, days, share in ORDERS:
        chosen = [v for v in variants if any(v.sku.startswith(f"{stem}-") for stem in stems)]
        if not chosen:
            continue
        order = services.purchase_order_create(
            workspace=workspace,
            supplier=suppliers[supplier_index],
            location=location,
            lines=[services.OrderLine(v, quantity, _unit_cost(v)) for v in chosen[:4]],
            status=OrderStatus.DRAFT if status == OrderStatus.DRAFT else OrderStatus.ORDERED,
            expected_date=today + timedelta(days=days),
            notes=f"Restock from {suppliers[supplier_index].name}.",
        )
        if status == OrderStatus.RECEIVED:
            services.purchase_order_receive(order=order, actor=DEMO_ACTOR)
        elif status == OrderStatus.PARTIALLY_RECEIVED:
            lines = PurchaseOrderLine.objects.filter(order=order).order_by("pk")
            receipt = [(line.pk, max(1, int(line.quantity * share))) for line in lines]
            services.purchase_order_receive(order=order, actor=DEMO_ACTOR, lines=receipt)
