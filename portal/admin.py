"""The workspace admin lives here because creating a workspace sets it up across apps."""

from django.contrib import admin

from accounts.models import Membership, Workspace
from accounts.services import workspace_rename, workspace_set_plan
from portal.services import workspace_setup


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "plan", "daily_limit_override", "burst_limit_override"]
    list_filter = ["plan"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug"]}),
        (
            "Plan",
            {
                "fields": ["plan", "daily_limit_override", "burst_limit_override"],
                "description": "Leave the overrides empty to use the plan's own limits; "
                "set them for a custom plan.",
            },
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        # Through the services, so the admin follows the same rules as commands and pages.
        if not change:
            created = workspace_setup(name=obj.name, owner=None, plan=obj.plan)
            obj.pk, obj.slug = created.pk, created.slug
            obj._state.adding = False
        elif "name" in form.changed_data:
            workspace_rename(workspace=obj, name=obj.name)
        workspace_set_plan(
            workspace=obj,
            plan=obj.plan,
            daily_limit=obj.daily_limit_override,
            burst_limit=obj.burst_limit_override,
        )
