"""Sales channels (marketplaces and web shops), the variants listed on them, the order lines a
live channel's orders brought back, and the simulated marketplaces' own record of what each
listing shows (SPEC §5.4)."""

from django.db import models

from core.validators import validate_no_control_characters

ONE_LINE = [validate_no_control_characters]


def channel_type_choices():
    """The registry's types (a callable, so a new connector needs no migration)."""
    from saleschannels.connectors import registry

    return registry.choices()


class ChannelStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    DISCONNECTED = "disconnected", "Disconnected"
    ERROR = "error", "Error"


class Channel(models.Model):
    """A marketplace or shop the workspace sells on, with the locations whose stock it sells
    (none: all) and the units held back from it (``stock_buffer``)."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="channels"
    )
    type = models.CharField(max_length=30, choices=channel_type_choices)
    name = models.CharField(max_length=100, validators=ONE_LINE)
    status = models.CharField(
        max_length=12, choices=ChannelStatus.choices, default=ChannelStatus.CONNECTED
    )
    status_message = models.CharField(max_length=500, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    locations = models.ManyToManyField(
        "inventory.Location",
        blank=True,
        related_name="channels",
        help_text="The locations whose stock the channel sells; none means all of them.",
    )
    stock_buffer = models.PositiveIntegerField(
        default=0, help_text="Units held back on this channel: it is offered on hand minus this."
    )
    # A live channel's store (empty for the simulated ones): where it is, its API key as
    # core.crypto ciphertext (never shown again, never in the admin), and the store's own ids.
    store_url = models.CharField(max_length=500, blank=True)
    credentials = models.TextField(blank=True, editable=False)
    external_location_id = models.CharField(
        max_length=100, blank=True, help_text="The store's stock location Salync's stock goes to."
    )
    orders_synced_until = models.DateTimeField(
        null=True, blank=True, help_text="The store's orders updated until then are pulled."
    )
    # Backoff after the store failed: automatic syncs wait until retry_after ("Sync now" not).
    failures = models.PositiveIntegerField(default=0)
    retry_after = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="saleschannels_channel_name_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(stock_buffer__gte=0),
                name="saleschannels_channel_stock_buffer_gte_0",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "id"]),
            models.Index(fields=["workspace", "updated_at"]),
        ]

    def __str__(self):
        return self.name


class ListingState(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    ERROR = "error", "Error"


class Listing(models.Model):
    """A variant offered on a channel. Its state and quantities are set by the sync
    (``saleschannels.sync``); ``workspace`` is the channel's, kept here for the indexed filters."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="listings"
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="listings")
    variant = models.ForeignKey(
        "inventory.Variant", on_delete=models.PROTECT, related_name="listings"
    )
    external_id = models.CharField(max_length=100, blank=True)
    external_item_id = models.CharField(
        max_length=100, blank=True, help_text="A live store's inventory item for the variant."
    )
    state = models.CharField(
        max_length=10, choices=ListingState.choices, default=ListingState.PENDING
    )
    error_message = models.CharField(max_length=500, blank=True)
    published_quantity = models.IntegerField(null=True, blank=True)
    quantity_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "variant"], name="saleschannels_listing_channel_variant_unique"
            ),
        ]
        # listings?state=error, the lists ordered by id (all, per channel) and updated_since;
        # variant_id= uses the variant foreign key's own index.
        indexes = [
            models.Index(fields=["workspace", "state", "id"]),
            models.Index(fields=["workspace", "id"]),
            models.Index(fields=["channel", "id"]),
            models.Index(fields=["workspace", "updated_at"]),
        ]

    def __str__(self):
        return f"{self.variant_id} on {self.channel_id} ({self.state})"


class ChannelOrderLine(models.Model):
    """One line of an order a live channel sold, recorded in the same transaction as its
    ``sold`` adjustment: the unique (channel, external line) is what makes a line count once
    however often, and however concurrently, the orders are pulled."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="order_lines")
    external_order_id = models.CharField(max_length=100)
    external_line_id = models.CharField(max_length=100)
    order_name = models.CharField(max_length=200, help_text="How people name the order: #1042.")
    sku = models.CharField(max_length=64, blank=True)
    quantity = models.PositiveIntegerField()
    adjustment = models.OneToOneField(
        "inventory.StockAdjustment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Its sold adjustment; none when its SKU is not listed on the channel.",
    )
    problem = models.CharField(
        max_length=500, blank=True, help_text="Why the line changed no stock, if it did not."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_line_id"],
                name="saleschannels_order_line_once",
            ),
        ]

    def __str__(self):
        return f"{self.order_name} {self.sku} x{self.quantity}"


class SimulatedListing(models.Model):
    """What a simulated marketplace shows for one of its listings, as the marketplace itself
    would keep it: only the simulated connectors read or write these."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=100)
    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=500)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    tags = models.JSONField(default=list, blank=True)
    quantity = models.IntegerField(default=0)
    state = models.CharField(max_length=10, default="active")
    pushes = models.PositiveIntegerField(
        default=0, help_text="Quantity updates the marketplace received."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="saleschannels_simulated_external_unique"
            ),
        ]

    def __str__(self):
        return f"{self.external_id}: {self.title}"
