from django.contrib import admin

from schoolsafe.notifications.models import Delivery, DeliveryAttempt, Notification, NotificationChannel

# Shown, and all read-only (named once: ModelAdmin types `fields` and `readonly_fields` differently).
CHANNEL_FIELDS = ("name", "kind", "agency", "district", "school", "enabled", "event_kinds", "config", "created_at",
                  "created_by", "updated_at", "removed_at")
ATTEMPT_FIELDS = ("number", "started_at", "duration_ms", "ok", "response_code", "error", "worker")


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    # Channels change through the settings page (audited, validated); read-only here, and the secret
    # (the webhook's signing key or the SMS token) is never shown.
    list_display = ["name", "kind", "agency", "district", "school", "enabled", "removed_at", "updated_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]
    fields = CHANNEL_FIELDS
    readonly_fields = CHANNEL_FIELDS

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    fields = ATTEMPT_FIELDS
    readonly_fields = ATTEMPT_FIELDS
    can_delete = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "notification", "channel", "recipient", "status", "attempts", "next_attempt_at",
                    "response_code", "created_at", "delivered_at"]
    list_filter = ["status", "channel__kind"]
    search_fields = ["recipient", "channel__name", "notification__subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "event_kind", "subject", "actor_name", "created_at"]
    list_filter = ["event_kind"]
    search_fields = ["subject"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
