"""The representations' shapes for the OpenAPI schema, as DRF serializers (the answers are
built in ``purchasing.representations``; tests/purchasing/test_representations.py holds the two
to the same bytes)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier


class SupplierSerializer(serializers.ModelSerializer):
    email = serializers.SerializerMethodField(help_text="Or null.")

    class Meta:
        model = Supplier
        fields = [
            "id", "name", "email", "phone", "address", "currency", "lead_time_days", "notes",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "email", "nullable": True})
    def get_email(self, supplier) -> str | None:
        return supplier.email or None


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku", read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = ["id", "variant_id", "sku", "quantity", "quantity_received", "unit_cost"]
        read_only_fields = fields


class PurchaseOrderSerializer(serializers.ModelSerializer):
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id", "number", "supplier_id", "location_id", "status", "expected_date", "notes",
            "lines", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
