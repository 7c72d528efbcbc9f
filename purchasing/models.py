from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.validators import (
    validate_no_control_characters,
    validate_no_control_characters_multiline,
)
from purchasing.currencies import CURRENCY_CHOICES, DEFAULT_CURRENCY
from purchasing.limits import MAX_LEAD_TIME_DAYS

ONE_LINE = [validate_no_control_characters]
MULTILINE = [validate_no_control_characters_multiline]


class Supplier(models.Model):
    """Who stock is bought from."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="suppliers"
    )
    name = models.CharField(max_length=200, validators=ONE_LINE)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True, validators=ONE_LINE)
    address = models.TextField(max_length=1000, blank=True, validators=MULTILINE)
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY, help_text="ISO 4217."
    )
    lead_time_days = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_LEAD_TIME_DAYS)]
    )
    notes = models.TextField(max_length=10_000, blank=True, validators=MULTILINE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lead_time_days__gte=0),
                name="purchasing_supplier_lead_time_gte_0",
            ),
        ]
        # The list ordered by id and ``updated_since``.
        indexes = [
            models.Index(fields=["workspace", "id"]),
            models.Index(fields=["workspace", "updated_at", "id"]),
        ]

    def __str__(self):
        return self.name


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ORDERED = "ordered", "Ordered"
    PARTIALLY_RECEIVED = "partially_received", "Partially received"
    RECEIVED = "received", "Received"
    CANCELLED = "cancelled", "Cancelled"


# What an order still expects to arrive: its outstanding quantities count as ``incoming``.
OPEN_STATUSES = (OrderStatus.ORDERED, OrderStatus.PARTIALLY_RECEIVED)


class PurchaseOrder(models.Model):
    """An order to a supplier for stock delivered to one location."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="purchase_orders"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    number = models.CharField(max_length=20, help_text="PO-0001, allocated per workspace.")
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.ORDERED
    )
    expected_date = models.DateField(null=True, blank=True)
    notes = models.TextField(max_length=10_000, blank=True, validators=MULTILINE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "number"], name="purchasing_order_number_unique"
            ),
        ]
        # The list ordered by id, by ``status``, by ``supplier_id`` and ``updated_since``.
        indexes = [
            models.Index(fields=["workspace", "id"]),
            models.Index(fields=["workspace", "status", "id"]),
            models.Index(fields=["workspace", "supplier", "id"]),
            models.Index(fields=["workspace", "updated_at", "id"]),
        ]

    def __str__(self):
        return self.number


class PurchaseOrderLine(models.Model):
    """One variant on an order: how many were ordered, how many have arrived."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "inventory.Variant", on_delete=models.PROTECT, related_name="purchase_order_lines"
    )
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    quantity_received = models.PositiveIntegerField(default=0)
    unit_cost = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    # Copied from the order, for ``incoming`` (purchasing.stock): a level's open lines are
    # found through one partial index, with no join to the orders. The services keep
    # ``is_open`` equal to "the order's status is in OPEN_STATUSES" whenever the status moves.
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    is_open = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="purchasing_line_quantity_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_received__gte=0),
                name="purchasing_line_received_gte_0",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_received__lte=models.F("quantity")),
                name="purchasing_line_received_lte_quantity",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0), name="purchasing_line_unit_cost_gte_0"
            ),
        ]
        # A page's lines by order; ``incoming`` reads a level's open lines.
        indexes = [
            models.Index(fields=["order", "id"]),
            models.Index(
                fields=["variant", "location"],
                condition=models.Q(is_open=True),
                name="purchasing_line_open_idx",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} of variant {self.variant_id} on {self.order_id}"

    @property
    def outstanding(self) -> int:
        return self.quantity - self.quantity_received


class OrderNumberSequence(models.Model):
    """The last order number given out in a workspace. Allocating is one conditional UPDATE
    that holds the row until the order's transaction ends, so two orders never share one."""

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.workspace_id}: {self.last}"
