"""Every write to suppliers and purchase orders. API views, the admin and the demo call these.

Receiving follows the stock recipe (STYLE.md): inside one transaction, the order row is locked
first (two receipts of one order queue there), the outstanding quantities are checked under
that lock, the stock goes in through ``inventory.services.stock_apply`` (the ledger, with the
order as its source), and the lines, the status and the event follow in the same transaction.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.models import Workspace
from core import events
from core.errors import InvalidState
from inventory.models import Location, Reason, SourceType, Status, Variant
from inventory.services import Actor, AdjustmentLine, stock_apply, stock_levels_ensure
from purchasing.currencies import CURRENCIES
from purchasing.errors import OverReceipt
from purchasing.limits import MAX_LINE_QUANTITY, MAX_ORDER_LINES, NUMBER_PREFIX
from purchasing.models import (
    OPEN_STATUSES,
    OrderNumberSequence,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
)
from purchasing.representations import ORDERS

SUPPLIER_FIELDS = ("name", "email", "phone", "address", "currency", "lead_time_days", "notes")
ARCHIVED_MESSAGE = "This variant is archived: it cannot be ordered."
CANCELLABLE = (OrderStatus.DRAFT, *OPEN_STATUSES)

# --- Suppliers -------------------------------------------------------------------------------


def _supplier_check(values: dict) -> None:
    if "name" in values and not str(values["name"]).strip():
        raise ValidationError({"name": "A supplier needs a name."})
    if "currency" in values and values["currency"] not in CURRENCIES:
        raise ValidationError({"currency": "Must be an ISO 4217 currency code such as EUR."})
    if "lead_time_days" in values and values["lead_time_days"] < 0:
        raise ValidationError({"lead_time_days": "Must be 0 or more."})


def supplier_create(*, workspace: Workspace, name: str, **fields) -> Supplier:
    """Add a supplier to the workspace."""
    values = {"name": name, **fields}
    if set(values) - set(SUPPLIER_FIELDS):
        unknown = sorted(set(values) - set(SUPPLIER_FIELDS))
        raise ValidationError(f"Unknown supplier fields: {unknown}.")
    _supplier_check(values)
    values["name"] = values["name"].strip()
    return Supplier.objects.create(workspace=workspace, **values)


def supplier_update(*, supplier: Supplier, **changes) -> Supplier:
    """Change a supplier's details."""
    if set(changes) - set(SUPPLIER_FIELDS):
        raise ValidationError(f"Only {', '.join(SUPPLIER_FIELDS)} can be changed.")
    _supplier_check(changes)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    for name, value in changes.items():
        setattr(supplier, name, value)
    supplier.save()
    return supplier


# --- Purchase orders -------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLine:
    """One requested line of a new order."""

    variant: Variant
    quantity: int
    unit_cost: Decimal


def _number_allocate(workspace: Workspace) -> str:
    """The workspace's next order number. The UPDATE holds the counter's row until the calling
    transaction ends, so a concurrent order waits and takes the next one: never the same."""
    counters = OrderNumberSequence.objects.filter(workspace=workspace)
    if not counters.update(last=F("last") + 1):
        OrderNumberSequence.objects.bulk_create(
            [OrderNumberSequence(workspace=workspace)], ignore_conflicts=True
        )
        counters.update(last=F("last") + 1)
    last = counters.values_list("last", flat=True).get()
    return f"{NUMBER_PREFIX}{last:04d}"


def _check_lines(workspace: Workspace, lines: list[OrderLine]) -> None:
    if not lines:
        raise ValidationError({"lines": "An order needs at least one line."})
    if len(lines) > MAX_ORDER_LINES:
        raise ValidationError({"lines": f"At most {MAX_ORDER_LINES} lines."})
    errors = {}
    for index, line in enumerate(lines):
        if line.variant.workspace_id != workspace.pk:
            errors[f"lines.{index}.variant_id"] = ["No variant with this id."]
        elif line.variant.status == Status.ARCHIVED:
            errors[f"lines.{index}.variant_id"] = [ARCHIVED_MESSAGE]
        if not 0 < line.quantity <= MAX_LINE_QUANTITY:
            errors[f"lines.{index}.quantity"] = [f"Must be from 1 to {MAX_LINE_QUANTITY}."]
        if line.unit_cost is None or line.unit_cost < 0:
            errors[f"lines.{index}.unit_cost"] = ["Must be 0 or more."]
    if errors:
        raise ValidationError(errors)


def _record(order: PurchaseOrder, type: str) -> None:
    """An order's event carries the order as the API answers it now, lines included."""
    events.event_record(workspace=order.workspace, type=type, obj=ORDERS.of([order])[0])


@transaction.atomic
def purchase_order_create(
    *,
    workspace: Workspace,
    supplier: Supplier,
    location: Location,
    lines: list[OrderLine],
    status: str = OrderStatus.ORDERED,
    expected_date=None,
    notes: str = "",
) -> PurchaseOrder:
    """Create an order (``ordered``, or a ``draft`` that counts as nothing yet) with its lines,
    numbered PO-0001, PO-0002… in the workspace, and a stock level at the order's location for
    each variant that has none. Archived variants cannot be ordered."""
    if status not in (OrderStatus.DRAFT, OrderStatus.ORDERED):
        raise ValidationError({"status": "A new order is draft or ordered."})
    if supplier.workspace_id != workspace.pk:
        raise ValidationError({"supplier_id": "No supplier with this id."})
    if location.workspace_id != workspace.pk:
        raise ValidationError({"location_id": "No location with this id."})
    _check_lines(workspace, lines)
    order = PurchaseOrder.objects.create(
        workspace=workspace,
        supplier=supplier,
        location=location,
        number=_number_allocate(workspace),
        status=status,
        expected_date=expected_date,
        notes=notes,
    )
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                order=order,
                variant=line.variant,
                quantity=line.quantity,
                unit_cost=line.unit_cost,
                location=location,
                is_open=status in OPEN_STATUSES,
            )
            for line in lines
        ]
    )
    # A variant never stocked at this location gets its level (at 0) now, to show incoming.
    stock_levels_ensure(workspace=workspace, pairs=[(ln.variant.pk, location.pk) for ln in lines])
    _record(order, events.PURCHASE_ORDER_CREATED)
    return order


def _locked(order: PurchaseOrder) -> PurchaseOrder:
    """The order's row, locked until the transaction ends: every change of an order's status
    or lines takes this lock first, so two of them run one after the other."""
    return (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("workspace", "location")
        .get(pk=order.pk)
    )


def _set_status(order: PurchaseOrder, status: str) -> None:
    """Move a locked order to ``status``, its lines' ``is_open`` with it (``incoming``)."""
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    PurchaseOrderLine.objects.filter(order=order).exclude(is_open=status in OPEN_STATUSES).update(
        is_open=status in OPEN_STATUSES
    )


@transaction.atomic
def purchase_order_place(*, order: PurchaseOrder) -> PurchaseOrder:
    """Send a draft: it becomes ``ordered``, and its quantities count as incoming."""
    order = _locked(order)
    if order.status != OrderStatus.DRAFT:
        raise InvalidState(f"{order.number} is {order.status}, not a draft.")
    _set_status(order, OrderStatus.ORDERED)
    return order


@transaction.atomic
def purchase_order_receive(
    *, order: PurchaseOrder, actor: Actor, lines: list[tuple[int, int]] | None = None
) -> PurchaseOrder:
    """Receive ``lines`` (order line id, quantity) into stock at the order's location, or, with
    none, everything outstanding. All or nothing: more than a line has outstanding is 409
    ``over_receipt``, an order that is not ordered or partially received 409 ``invalid_state``.
    The ledger rows name the order as their source and ``actor`` in their note."""
    order = _locked(order)
    if order.status not in OPEN_STATUSES:
        raise InvalidState(f"{order.number} is {order.status}: only ordered stock can arrive.")
    order_lines = {
        line.pk: line
        for line in PurchaseOrderLine.objects.filter(order=order)
        .select_related("variant")
        .order_by("pk")
    }
    if lines:
        receipt = _receipt(order_lines, lines)
    else:
        receipt = [(line, line.outstanding) for line in order_lines.values() if line.outstanding]
    note = f"Received on {order.number} by {actor.name}."[:500]
    stock_apply(
        workspace=order.workspace,
        lines=[
            AdjustmentLine(
                variant=line.variant,
                location=order.location,
                quantity=quantity,
                reason=Reason.RECEIVED,
                note=note,
            )
            for line, quantity in receipt
        ],
        actor=Actor(SourceType.PURCHASE_ORDER, order.pk, order.number),
    )
    for line, quantity in receipt:
        # Conditional, though the order's lock already makes it so: never past the ordered
        # quantity (and the CHECK constraint behind it).
        changed = PurchaseOrderLine.objects.filter(
            pk=line.pk, quantity_received__lte=F("quantity") - quantity
        ).update(quantity_received=F("quantity_received") + quantity)
        if not changed:
            raise OverReceipt(f"{line.variant.sku}: the line changed meanwhile; nothing received.")
        line.quantity_received += quantity
    complete = all(not line.outstanding for line in order_lines.values())
    _set_status(order, OrderStatus.RECEIVED if complete else OrderStatus.PARTIALLY_RECEIVED)
    _record(
        order,
        events.PURCHASE_ORDER_RECEIVED if complete else events.PURCHASE_ORDER_PARTIALLY_RECEIVED,
    )
    return order


def _receipt(order_lines: dict, lines: list[tuple[int, int]]) -> list[tuple]:
    """The requested receipt checked against what is outstanding, per line."""
    unknown, over, receipt, seen = {}, {}, [], set()
    for index, (line_id, quantity) in enumerate(lines):
        line = order_lines.get(line_id)
        if line is None:
            unknown[f"lines.{index}.line_id"] = ["No line with this id on this order."]
            continue
        if line_id in seen:
            unknown[f"lines.{index}.line_id"] = ["The same line appears twice in this receipt."]
            continue
        seen.add(line_id)
        if quantity <= 0:
            unknown[f"lines.{index}.quantity"] = ["Must be 1 or more."]
        elif quantity > line.outstanding:
            over[f"lines.{index}.quantity"] = [
                f"{line.variant.sku} has {line.outstanding} outstanding; {quantity} is more."
            ]
        receipt.append((line, quantity))
    if unknown:
        raise ValidationError(unknown)
    if over:
        first = next(iter(over.values()))[0]
        raise OverReceipt(f"Over receipt: {first}", fields=over)
    return receipt


@transaction.atomic
def purchase_order_cancel(*, order: PurchaseOrder) -> PurchaseOrder:
    """Cancel a draft, ordered or partially received order: what was received stays in stock,
    what is outstanding stops counting as incoming."""
    order = _locked(order)
    if order.status not in CANCELLABLE:
        raise InvalidState(f"{order.number} is {order.status}: it cannot be cancelled.")
    _set_status(order, OrderStatus.CANCELLED)
    return order
