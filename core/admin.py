"""What every app's staff admin shares. ``core`` registers no models of its own here."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Writes go through services, so these admins only show; actions and forms call services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
