"""Staff admin for channels, listings and the order lines live stores sold: read-only views,
with "Sync now" going through the services. A live channel's key (``credentials``, encrypted)
is in no admin field, list or search."""

from django.contrib import admin, messages

from core.admin import ReadOnlyAdmin
from saleschannels import services, tasks
from saleschannels.models import Channel, ChannelOrderLine, Listing, SimulatedListing


@admin.register(Channel)
class ChannelAdmin(ReadOnlyAdmin):
    list_display = ["name", "type", "workspace", "status", "stock_buffer", "last_synced_at"]
    list_filter = ["type", "status"]
    search_fields = ["name", "workspace__slug"]
    list_select_related = ["workspace"]
    readonly_fields = [
        "workspace", "type", "name", "status", "status_message", "last_synced_at", "locations",
        "stock_buffer", "store_url", "external_location_id", "orders_synced_until", "failures",
        "retry_after", "created_at", "updated_at",
    ]  # fmt: skip
    fields = readonly_fields  # and never ``credentials``
    actions = ["sync_now"]

    @admin.action(description="Sync now (push every listing's quantity again)")
    def sync_now(self, request, queryset):
        count = sum(services.channel_sync_now(channel=channel) for channel in queryset)
        self.message_user(request, f"Queued a sync of {count} listing(s).", messages.SUCCESS)

    def has_sync_now_permission(self, request):
        return request.user.has_perm("saleschannels.change_channel")


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ["variant", "channel", "workspace", "state", "published_quantity", "updated_at"]
    list_filter = ["state", "channel__type"]
    search_fields = ["variant__sku", "external_id", "channel__name", "workspace__slug"]
    list_select_related = ["variant", "channel", "workspace"]
    readonly_fields = [
        "workspace", "channel", "variant", "external_id", "external_item_id", "state",
        "error_message", "published_quantity", "quantity_synced_at", "created_at", "updated_at",
    ]  # fmt: skip
    actions = ["retry"]

    @admin.action(description="Sync the selected listings now")
    def retry(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        tasks.schedule_listings_sync(ids, force=True)
        self.message_user(request, f"Queued a sync of {len(ids)} listing(s).", messages.SUCCESS)

    def has_retry_permission(self, request):
        return request.user.has_perm("saleschannels.change_listing")


@admin.register(ChannelOrderLine)
class ChannelOrderLineAdmin(ReadOnlyAdmin):
    """The order lines live stores sold, each counted once, with its adjustment or the reason
    it changed no stock."""

    list_display = [
        "order_name",
        "channel",
        "sku",
        "quantity",
        "adjustment",
        "problem",
        "created_at",
    ]
    list_filter = ["channel__type"]
    search_fields = ["external_order_id", "order_name", "sku", "channel__name"]
    list_select_related = ["channel", "adjustment"]
    readonly_fields = [
        "channel", "external_order_id", "external_line_id", "order_name", "sku", "quantity",
        "adjustment", "problem", "created_at",
    ]  # fmt: skip


@admin.register(SimulatedListing)
class SimulatedListingAdmin(ReadOnlyAdmin):
    """What the simulated marketplaces show: their side of each listing."""

    list_display = [
        "external_id",
        "channel",
        "sku",
        "title",
        "price",
        "quantity",
        "state",
        "pushes",
    ]
    search_fields = ["external_id", "sku", "title"]
    list_select_related = ["channel"]
    readonly_fields = [
        "channel", "external_id", "sku", "title", "price", "tags", "quantity", "state", "pushes",
        "created_at", "updated_at",
    ]  # fmt: skip
