from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from schoolsafe.accounts.models import ApiToken, LoginLock, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency", "district", "school"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # Django's UserAdmin declares its fieldsets (never None, which ModelAdmin's type allows).
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Profile", {"fields": ("full_name", "title", "phone", "room")}))
    list_display = ["username", "full_name", "title", "email", "is_active"]
    search_fields = ["username", "full_name", "email"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency", "district", "school"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name"]
    autocomplete_fields = ["user", "agency", "district", "school"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never edited here: every change goes through an audited action (page or command line)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "label", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "label", "prefix"]
    exclude = ["secret_hash"]


@admin.register(LoginLock)
class LoginLockAdmin(ReadOnlyAdmin):
    list_display = ["username", "locked_at", "ends_at", "ended_at"]
    search_fields = ["username"]
