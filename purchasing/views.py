"""Purchase orders and Suppliers pages (SPEC §4). Everyone in the workspace reads; owners and
admins create, receive and cancel, through ``purchasing.services`` as the API does, so the pages
show the API's own messages beside the fields they are about.

"Save" on a new order places it (status ordered: its quantities count as incoming at once),
which is what a seller writing an order to a supplier means; drafts are the API's."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import manager_required, manager_required_for_writes
from core.errors import InvalidState
from inventory.services import Actor
from purchasing import page_queries, selectors, services
from purchasing.errors import OverReceipt
from purchasing.forms import (
    LineFormSet,
    OrderForm,
    OrderStatusFilterForm,
    ReceiveForm,
    SupplierForm,
    error_dict,
)
from purchasing.limits import MAX_ORDER_LINES
from purchasing.models import OPEN_STATUSES, OrderStatus, PurchaseOrder

ORDERS, SUPPLIERS = "purchase_orders", "suppliers"
LINES_PREFIX = "lines"


# --- Purchase orders -------------------------------------------------------------------------


@manager_required_for_writes
@require_http_methods(["GET"])
def orders(request):
    """The orders, newest first, filtered by status and by "due" (the Overview links here)."""
    filters = OrderStatusFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    page = page_queries.orders_page(
        request.workspace,
        status=chosen.get("status", ""),
        due=chosen.get("due", False),
        page_number=request.GET.get("page"),
    )
    return render(
        request,
        "purchasing/orders.html",
        {
            "page": page,
            "filters": filters,
            "filtered": bool(chosen.get("status") or chosen.get("due")),
            "section": ORDERS,
        },
    )


def _line_formset(data=None, *, rows=None):
    """The new order's lines, bound to ``data`` or showing ``rows`` (one blank line when none).
    Any line may be left blank, skipped: the service says when no line is left."""
    return LineFormSet(
        data,
        initial=None if data is not None else (rows or [{}]),
        prefix=LINES_PREFIX,
        form_kwargs={"empty_permitted": True},
    )


def _order_create(request, form: OrderForm, lines) -> PurchaseOrder | None:
    """The order made from valid forms, or None with the service's errors on the forms."""
    filled = lines.filled()
    positions = [position for position, _ in filled]
    try:
        variants = selectors.order_variants_resolve(
            workspace=request.workspace, items=[{"sku": row["sku"]} for _, row in filled]
        )
        return services.purchase_order_create(
            workspace=request.workspace,
            supplier=form.cleaned_data["supplier"],
            location=form.cleaned_data["location"],
            expected_date=form.cleaned_data["expected_date"],
            lines=[
                services.OrderLine(variant, row["quantity"], row["unit_cost"])
                for (_, row), variant in zip(filled, variants, strict=True)
            ],
        )
    except ValidationError as error:
        errors = error_dict(error)
        lines.add_service_errors(
            {name: m for name, m in errors.items() if name.startswith("lines.")}, positions
        )
        form.add_service_errors({n: m for n, m in errors.items() if not n.startswith("lines.")})
        return None


@manager_required
@require_http_methods(["GET", "POST"])
def order_new(request):
    """A new order with its lines. "Add line" re-renders the form with one more line (no
    JavaScript); "Save" places the order."""
    workspace = request.workspace
    choices = {
        "suppliers": page_queries.supplier_choices(workspace),
        "locations": page_queries.location_choices(workspace),
    }
    if request.method == "GET":
        form, lines = OrderForm(**choices), _line_formset()
    elif "add_line" in request.POST:
        # What was typed comes back unvalidated: errors wait until "Save".
        typed = _line_formset(request.POST)
        rows = [{name: f[name].value() for name in f.fields} for f in typed.forms]
        if len(rows) < MAX_ORDER_LINES:
            rows.append({})
        else:
            messages.error(request, f"An order has at most {MAX_ORDER_LINES} lines.")
        header = {name: request.POST.get(name) for name in OrderForm.base_fields}
        form, lines = OrderForm(initial=header, **choices), _line_formset(rows=rows)
    else:
        form, lines = OrderForm(request.POST, **choices), _line_formset(request.POST)
        # Both validated, so each shows its own errors at once.
        if form.is_valid() & lines.is_valid():
            order = _order_create(request, form, lines)
            if order is not None:
                messages.success(request, f"Placed {order.number} with {order.supplier.name}.")
                return redirect("purchasing:order", order.pk)
    return render(
        request,
        "purchasing/order_new.html",
        {
            "form": form,
            "lines": lines,
            "has_suppliers": choices["suppliers"].exists(),
            "section": ORDERS,
        },
    )


def _order_context(request, order, *, lines=None, receive_form=None) -> dict:
    """What the order page (and its receive and cancel pages) shows."""
    lines = page_queries.order_lines(order) if lines is None else lines
    receivable = request.membership.can_manage and order.status in OPEN_STATUSES
    return {
        "order": order,
        "lines": lines,
        "outstanding": sum(line.outstanding for line in lines),
        "receive_form": receive_form or (ReceiveForm(lines=lines) if receivable else None),
        "cancellable": request.membership.can_manage and order.status in services.CANCELLABLE,
        "placeable": request.membership.can_manage and order.status == OrderStatus.DRAFT,
        "section": ORDERS,
    }


def _refused(request, order, consequence: str):
    """Back to the order page, saying why the order's status forbids what was asked."""
    status = order.get_status_display().lower()
    messages.error(request, f"{order.number} is {status}: {consequence}")
    return redirect("purchasing:order", order.pk)


@manager_required_for_writes
@require_http_methods(["GET"])
def order_detail(request, pk):
    """An order: its facts, its lines with what is outstanding, "Receive" and "Cancel"."""
    order = page_queries.order_get(request.workspace, pk)
    return render(request, "purchasing/order.html", _order_context(request, order))


@manager_required
@require_http_methods(["GET", "POST"])
def order_receive(request, pk):
    """Receive the quantities entered per line (prefilled with what is outstanding) into stock
    at the order's location; all or nothing, as the API."""
    order = page_queries.order_get(request.workspace, pk)
    if order.status not in OPEN_STATUSES:
        return _refused(request, order, "nothing more can be received on it.")
    lines = page_queries.order_lines(order)
    form = ReceiveForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        receipt = form.receipt()
        sent = [line_id for line_id, _ in receipt]
        try:
            if not receipt:
                # No lines would mean "everything outstanding" to the service: not what 0 says.
                raise ValidationError("Enter a quantity to receive on at least one line.")
            order = services.purchase_order_receive(
                order=order, actor=Actor.user(request.user), lines=receipt
            )
        except OverReceipt as error:
            form.add_error(None, error.message)
            form.add_service_errors(error.fields or {}, sent)
        except ValidationError as error:
            form.add_service_errors(error_dict(error), sent)
        except InvalidState as error:
            messages.error(request, error.message)
            return redirect("purchasing:order", order.pk)
        else:
            units = sum(quantity for _, quantity in receipt)
            messages.success(
                request,
                f"Received {units} unit{'s' if units != 1 else ''} on {order.number}: "
                f"it is {order.get_status_display().lower()}.",
            )
            return redirect("purchasing:order", order.pk)
    context = _order_context(request, order, lines=lines, receive_form=form)
    return render(request, "purchasing/receive.html", context)


@manager_required
@require_POST
def order_place(request, pk):
    """Send a draft (one made over the API, say): its quantities start counting as incoming."""
    order = page_queries.order_get(request.workspace, pk)
    try:
        services.purchase_order_place(order=order)
    except InvalidState as error:  # placed or cancelled meanwhile
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Placed {order.number}: its quantities now count as incoming stock."
        )
    return redirect("purchasing:order", order.pk)


@manager_required
@require_http_methods(["GET", "POST"])
def order_cancel(request, pk):
    """A confirmation page (the order page's dialog without JavaScript), then the cancellation."""
    order = page_queries.order_get(request.workspace, pk)
    if order.status not in services.CANCELLABLE:
        return _refused(request, order, "it cannot be cancelled.")
    if request.method == "POST":
        try:
            services.purchase_order_cancel(order=order)
        except InvalidState as error:  # received or cancelled meanwhile
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"Cancelled {order.number}: its outstanding units no longer count as incoming.",
            )
        return redirect("purchasing:order", order.pk)
    return render(request, "purchasing/cancel.html", _order_context(request, order))


# --- Suppliers -------------------------------------------------------------------------------


@manager_required_for_writes
@require_http_methods(["GET"])
def suppliers(request):
    """The suppliers by name, with their open orders."""
    page = page_queries.suppliers_page(request.workspace, page_number=request.GET.get("page"))
    return render(request, "purchasing/suppliers.html", {"page": page, "section": SUPPLIERS})


@manager_required
@require_http_methods(["GET", "POST"])
def supplier_new(request):
    """Add a supplier."""
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier = services.supplier_create(workspace=request.workspace, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error_dict(error))
        else:
            messages.success(request, f"Added the supplier {supplier.name}.")
            return redirect("purchasing:suppliers")
    return render(request, "purchasing/supplier_form.html", {"form": form, "section": SUPPLIERS})


@manager_required_for_writes
@require_http_methods(["GET", "POST"])
def supplier_edit(request, pk):
    """A supplier's details: members read them, owners and admins change them."""
    supplier = page_queries.supplier_get(request.workspace, pk)
    initial = {name: getattr(supplier, name) for name in SupplierForm.base_fields}
    form = SupplierForm(request.POST or None, initial=initial)
    if not request.membership.can_manage:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_update(supplier=supplier, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error_dict(error))
        else:
            messages.success(request, f"Saved the supplier {supplier.name}.")
            return redirect("purchasing:suppliers")
    return render(
        request,
        "purchasing/supplier_form.html",
        {"form": form, "supplier": supplier, "section": SUPPLIERS},
    )
