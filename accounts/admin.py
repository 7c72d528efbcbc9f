from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts import services
from accounts.models import Membership, User, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class UserMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["workspace"]
    fields = ["workspace", "role", "created_at"]
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
            created = services.workspace_create(name=obj.name, owner=None, plan=obj.plan)
            obj.pk, obj.slug = created.pk, created.slug
            obj._state.adding = False
        elif "name" in form.changed_data:
            services.workspace_rename(workspace=obj, name=obj.name)
        services.workspace_set_plan(
            workspace=obj,
            plan=obj.plan,
            daily_limit=obj.daily_limit_override,
            burst_limit=obj.burst_limit_override,
        )


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["email", "name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    inlines = [UserMembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "workspace__name", "workspace__slug"]
    autocomplete_fields = ["user", "workspace"]
