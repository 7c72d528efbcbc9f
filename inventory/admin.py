from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin import ReadOnlyAdmin
from core.errors import DomainError
from core.validators import validate_no_control_characters_multiline
from inventory import services
from inventory.limits import MAX_QUANTITY
from inventory.models import Location, Product, Reason, StockAdjustment, StockLevel, Variant


class VariantInline(admin.TabularInline):
    model = Variant
    fields = ["sku", "name", "options", "barcode", "price", "cost", "reorder_point", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["name", "workspace", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["name", "variants__sku", "workspace__slug"]
    list_select_related = ["workspace"]
    readonly_fields = ["workspace", "name", "description", "status", "created_at", "updated_at"]
    inlines = [VariantInline]


@admin.register(Variant)
class VariantAdmin(ReadOnlyAdmin):
    list_display = ["sku", "product", "workspace", "reorder_point", "status"]
    list_filter = ["status"]
    search_fields = ["sku", "name", "product__name", "workspace__slug"]
    list_select_related = ["product", "workspace"]
    readonly_fields = [
        "workspace", "product", "sku", "name", "options", "barcode", "price", "cost",
        "reorder_point", "status", "created_at", "updated_at",
    ]  # fmt: skip


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ["name", "workspace", "is_default"]
    search_fields = ["name", "workspace__slug"]
    list_select_related = ["workspace"]
    readonly_fields = ["workspace", "name", "is_default", "created_at", "updated_at"]


class AdjustStockForm(forms.Form):
    quantity = forms.IntegerField(
        help_text="Signed: positive adds, negative removes.",
        min_value=-MAX_QUANTITY,
        max_value=MAX_QUANTITY,
    )
    reason = forms.ChoiceField(choices=Reason.choices)
    note = forms.CharField(
        max_length=500, required=False, validators=[validate_no_control_characters_multiline]
    )

    def clean_quantity(self):
        if self.cleaned_data["quantity"] == 0:
            raise ValidationError("Must not be zero.")
        return self.cleaned_data["quantity"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    """on_hand is never edited directly: "Adjust stock" goes through ``stock_adjust``."""

    list_display = ["variant", "location", "workspace", "on_hand", "adjust_link"]
    search_fields = ["variant__sku", "location__name", "workspace__slug"]
    list_select_related = ["variant", "location", "workspace"]
    readonly_fields = ["workspace", "variant", "location", "on_hand", "created_at", "updated_at"]

    @admin.display(description="")
    def adjust_link(self, obj):
        url = reverse("admin:inventory_stocklevel_adjust", args=[obj.pk])
        return format_html('<a href="{}">Adjust stock</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="inventory_stocklevel_adjust",
            ),
            *super().get_urls(),
        ]

    def adjust_view(self, request, pk):
        if not request.user.has_perm("inventory.change_stocklevel"):
            raise PermissionDenied
        level = get_object_or_404(StockLevel.objects.select_related("variant", "location"), pk=pk)
        form = AdjustStockForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.stock_adjust(
                    workspace=level.workspace,
                    variant=level.variant,
                    location=level.location,
                    quantity=form.cleaned_data["quantity"],
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    actor=services.Actor.user(request.user),
                )
            except (DomainError, ValidationError) as error:
                form.add_error("quantity", str(getattr(error, "message", error)))
            else:
                self.message_user(request, f"Adjusted {level}.", messages.SUCCESS)
                return redirect("admin:inventory_stocklevel_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Adjust stock: {level.variant} at {level.location}",
            "level": level,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/inventory/adjust_stock.html", context)


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at", "variant", "location", "quantity", "on_hand_after", "reason", "source_name",
    ]  # fmt: skip
    list_filter = ["reason", "source_type"]
    search_fields = ["variant__sku", "workspace__slug", "note"]
    list_select_related = ["variant", "location"]
    readonly_fields = [
        "workspace", "variant", "location", "quantity", "on_hand_after", "reason", "note",
        "source_type", "source_id", "source_name", "created_at",
    ]  # fmt: skip
    exclude = ["level"]
