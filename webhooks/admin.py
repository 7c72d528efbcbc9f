"""Staff admin for webhook endpoints, events, deliveries and attempts (SPEC §5.5): read-only,
apart from enabling, disabling and resending, which go through the services. A secret is never
a field, a column or part of a repr here."""

from django.contrib import admin, messages

from core.admin import ReadOnlyAdmin
from core.models import DomainEvent
from webhooks import services
from webhooks.models import Attempt, Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "workspace", "enabled", "disabled_reason", "failing_since", "created_at"]
    list_filter = ["enabled"]
    search_fields = ["url", "description", "workspace__slug", "workspace__name"]
    list_select_related = ["workspace"]
    # Listed explicitly: ``secret`` and ``previous_secret`` are never among them.
    fields = readonly_fields = [
        "workspace", "url", "description", "event_types", "enabled", "disabled_reason",
        "failing_since", "previous_secret_expires_at", "created_at", "updated_at",
    ]  # fmt: skip
    actions = ["enable", "disable"]

    @admin.action(description="Enable the selected endpoints")
    def enable(self, request, queryset):
        for endpoint in queryset.filter(enabled=False):
            services.endpoint_enable(endpoint=endpoint)
        self.message_user(request, "Enabled the selected endpoints.", messages.SUCCESS)

    @admin.action(description="Disable the selected endpoints (nothing is sent to them)")
    def disable(self, request, queryset):
        for endpoint in queryset.filter(enabled=True):
            services.endpoint_disable(endpoint=endpoint)
        self.message_user(request, "Disabled the selected endpoints.", messages.SUCCESS)

    def has_enable_permission(self, request):
        return request.user.has_perm("webhooks.change_endpoint")

    has_disable_permission = has_enable_permission


@admin.register(DomainEvent)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "type", "workspace", "created_at", "fanned_out_at"]
    list_filter = ["type"]
    search_fields = ["public_id", "workspace__slug"]
    list_select_related = ["workspace"]
    fields = readonly_fields = [
        "public_id",
        "workspace",
        "type",
        "data",
        "created_at",
        "fanned_out_at",
    ]
    show_full_result_count = False  # the outbox is large: no COUNT(*) per page


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "created_at", "status_code", "duration_ms", "error", "response_excerpt", "request_headers",
    ]  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id", "event", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at",
    ]  # fmt: skip
    list_filter = ["status", "event__type"]
    search_fields = ["event__public_id", "endpoint__url"]
    list_select_related = ["event", "endpoint"]
    fields = readonly_fields = [
        "endpoint", "event", "status", "attempts", "next_attempt_at", "queued_at",
        "last_attempt_at", "last_status_code", "last_error", "created_at",
    ]  # fmt: skip
    inlines = [AttemptInline]
    actions = ["resend"]
    show_full_result_count = False

    @admin.action(description="Resend the selected deliveries now")
    def resend(self, request, queryset):
        count = 0
        for delivery in queryset:
            services.delivery_resend(delivery=delivery)
            count += 1
        self.message_user(request, f"Queued {count} delivery(ies) again.", messages.SUCCESS)

    def has_resend_permission(self, request):
        return request.user.has_perm("webhooks.change_delivery")


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["id", "delivery", "created_at", "status_code", "duration_ms", "error"]
    list_filter = ["status_code"]
    list_select_related = ["delivery"]
    fields = readonly_fields = [
        "delivery", "created_at", "request_headers", "status_code", "duration_ms",
        "response_excerpt", "error",
    ]  # fmt: skip
    show_full_result_count = False
