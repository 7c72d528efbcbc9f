from django.contrib import admin, messages

from apikeys.models import ApiKey
from apikeys.services import api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Staff see and revoke keys; the secret is never stored, so it cannot be shown."""

    list_display = [
        "name",
        "workspace",
        "prefix",
        "access",
        "created_at",
        "last_used_at",
        "expires_at",
        "status",
    ]
    list_filter = ["access", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "workspace__name", "workspace__slug"]
    list_select_related = ["workspace"]
    fields = [
        "workspace",
        "name",
        "prefix",
        "access",
        "created_by",
        "created_at",
        "last_used_at",
        "lifetime_days",
        "expires_at",
        "expiry_warned_at",
        "rolled_from",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = fields
    actions = ["revoke_keys"]

    @admin.display(description="Status")
    def status(self, obj):
        return obj.status_label

    @admin.action(description="Revoke selected API keys")
    def revoke_keys(self, request, queryset):
        count = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(api_key=api_key, revoked_by=request.user)
            count += 1
        self.message_user(request, f"Revoked {count} API key(s).", messages.SUCCESS)

    def has_add_permission(self, request):
        return False  # keys are created in Settings or with `create_api_key`

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked keys stay listed, permanently invalid
