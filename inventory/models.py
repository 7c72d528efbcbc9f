from django.core.validators import MinValueValidator
from django.db import models

from core.validators import (
    validate_no_control_characters,
    validate_no_control_characters_multiline,
)

ONE_LINE = [validate_no_control_characters]
MULTILINE = [validate_no_control_characters_multiline]


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class Location(models.Model):
    """Where stock is kept: a warehouse, a shop, a shelf. Each workspace has one default."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(max_length=100, validators=ONE_LINE)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="inventory_location_name_unique"
            ),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(is_default=True),
                name="inventory_location_one_default",
            ),
        ]

    def __str__(self):
        return self.name


class Product(models.Model):
    """A thing you sell, in one or more variants (sizes, colours…)."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="products"
    )
    name = models.CharField(max_length=200, validators=ONE_LINE)
    description = models.TextField(blank=True, validators=MULTILINE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        # The list (status, ordered by id) and ``updated_since``; ``q=`` uses a trigram index on
        # UPPER(name), created on PostgreSQL only by migration 0004 (not declared here).
        indexes = [
            models.Index(fields=["workspace", "status", "id"]),
            models.Index(fields=["workspace", "updated_at"]),
        ]

    def __str__(self):
        return self.name


class Variant(models.Model):
    """The unit stock is counted in: one SKU of a product."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="variants"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="variants")
    sku = models.CharField("SKU", max_length=64, validators=ONE_LINE)
    name = models.CharField(max_length=200, blank=True, validators=ONE_LINE)
    options = models.JSONField(default=dict, blank=True)
    barcode = models.CharField(
        max_length=14, blank=True, help_text="GTIN-8, 12, 13 or 14, checksum valid."
    )
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reorder_point = models.PositiveIntegerField(
        default=0, help_text="Low-stock threshold: a level below it is flagged."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "sku"], name="inventory_variant_sku_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(reorder_point__gte=0),
                name="inventory_variant_reorder_point_gte_0",
            ),
        ]
        # The list (status, ordered by id) and ``updated_since``; ``sku=`` uses the unique
        # (workspace, sku) index; ``q=`` a trigram index on UPPER(sku) (migration 0004, PostgreSQL).
        indexes = [
            models.Index(fields=["workspace", "status", "id"]),
            models.Index(fields=["workspace", "updated_at"]),
        ]

    def __str__(self):
        return self.sku


class StockLevel(models.Model):
    """How many units of a variant are on hand at a location. Changed only by ``stock_adjust``."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="stock_levels"
    )
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="stock_levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.IntegerField(default=0, validators=[MinValueValidator(0)])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "location"], name="inventory_stocklevel_variant_location_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=0), name="inventory_stocklevel_on_hand_gte_0"
            ),
        ]
        # The list ordered by id (also under ``below_threshold``) and ``updated_since``.
        indexes = [
            models.Index(fields=["workspace", "id"]),
            models.Index(fields=["workspace", "updated_at"]),
        ]

    def __str__(self):
        return f"{self.variant} at {self.location}: {self.on_hand}"

    @property
    def below_threshold(self) -> bool:
        return self.on_hand < self.variant.reorder_point


class Reason(models.TextChoices):
    RECEIVED = "received", "Received"
    SOLD = "sold", "Sold"
    RETURNED = "returned", "Returned"
    DAMAGED = "damaged", "Damaged"
    LOST = "lost", "Lost"
    CORRECTION = "correction", "Correction"
    COUNT = "count", "Count"


class SourceType(models.TextChoices):
    API_KEY = "api_key", "API key"
    USER = "user", "User"
    PURCHASE_ORDER = "purchase_order", "Purchase order"
    CHANNEL_ORDER = "channel_order", "Channel order"
    SYSTEM = "system", "System"


class StockAdjustment(models.Model):
    """The append-only stock ledger: who changed what, why, by how much, and the result."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="stock_adjustments"
    )
    level = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="adjustments")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField()
    on_hand_after = models.IntegerField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True, validators=MULTILINE)
    source_type = models.CharField(max_length=20, choices=SourceType.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    source_name = models.CharField(
        max_length=200, blank=True, help_text="The key's name or the user's email at the time."
    )
    source_reference = models.CharField(
        max_length=100, blank=True, help_text="A channel order's id in its store."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(quantity=0), name="inventory_adjustment_quantity_nonzero"
            ),
            models.CheckConstraint(
                condition=models.Q(on_hand_after__gte=0),
                name="inventory_adjustment_on_hand_after_gte_0",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "id"]),
            models.Index(fields=["level", "id"]),
        ]

    def __str__(self):
        return f"{self.quantity:+d} {self.variant} at {self.location} ({self.reason})"
