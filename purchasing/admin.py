"""The staff admin for suppliers and purchase orders. It writes only through the services:
a supplier's form is saved by ``supplier_create``/``supplier_update``; orders are shown with
their lines and changed only by actions that call ``purchase_order_place``, ``…_receive`` and
``…_cancel`` (the receipt lands in the stock ledger with the order as its source)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from core.errors import DomainError
from inventory.admin import ReadOnlyAdmin
from inventory.services import Actor
from purchasing import services
from purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["workspace", *services.SUPPLIER_FIELDS]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    form = SupplierForm
    list_display = ["name", "workspace", "currency", "lead_time_days", "updated_at"]
    search_fields = ["name", "email", "workspace__slug"]
    list_select_related = ["workspace"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # A supplier stays in the workspace it was created in.
        return [*self.readonly_fields, "workspace"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # orders keep their supplier

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.SUPPLIER_FIELDS}
        if change:
            supplier = Supplier.objects.get(pk=obj.pk)
            saved = services.supplier_update(supplier=supplier, **fields)
        else:
            saved = services.supplier_create(workspace=form.cleaned_data["workspace"], **fields)
        obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at


class LineInline(admin.TabularInline):
    model = PurchaseOrderLine
    fields = ["variant", "quantity", "quantity_received", "unit_cost"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant")


def _run(modeladmin, request, queryset, change, done: str):
    """Apply ``change`` to each selected order, reporting each refusal by the order's number."""
    changed = 0
    for order in queryset.order_by("pk"):
        try:
            change(order)
        except (DomainError, ValidationError) as error:
            text = getattr(error, "message", None) or "; ".join(error.messages)
            modeladmin.message_user(request, f"{order.number}: {text}", messages.ERROR)
        else:
            changed += 1
    if changed:
        modeladmin.message_user(request, f"{done} {changed} order(s).", messages.SUCCESS)


@admin.action(description="Place selected drafts (ordered)", permissions=["change"])
def place(modeladmin, request, queryset):
    _run(
        modeladmin,
        request,
        queryset,
        lambda order: services.purchase_order_place(order=order),
        "Placed",
    )


@admin.action(description="Receive everything outstanding", permissions=["change"])
def receive_all(modeladmin, request, queryset):
    actor = Actor.user(request.user)
    _run(
        modeladmin,
        request,
        queryset,
        lambda order: services.purchase_order_receive(order=order, actor=actor),
        "Received",
    )


@admin.action(description="Cancel selected orders", permissions=["change"])
def cancel(modeladmin, request, queryset):
    _run(
        modeladmin,
        request,
        queryset,
        lambda order: services.purchase_order_cancel(order=order),
        "Cancelled",
    )


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    """Orders are created through the API (or the demo); staff move them with the actions."""

    list_display = ["number", "workspace", "supplier", "location", "status", "expected_date"]
    list_filter = ["status"]
    search_fields = ["number", "supplier__name", "workspace__slug"]
    list_select_related = ["workspace", "supplier", "location"]
    readonly_fields = [
        "workspace", "number", "supplier", "location", "status", "expected_date", "notes",
        "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [LineInline]
    actions = [place, receive_all, cancel]

    def has_change_permission(self, request, obj=None):
        # The actions (on the list: no obj) need "change"; an order's own page stays read-only.
        return obj is None and request.user.has_perm("purchasing.change_purchaseorder")
