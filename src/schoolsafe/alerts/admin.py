from django.contrib import admin

from schoolsafe.alerts.models import Acknowledgement, ActionRoute, Alert, DrillWindow, EscalationPolicy, EscalationTimer


class AcknowledgementInline(admin.TabularInline):
    model = Acknowledgement
    extra = 0
    readonly_fields = ["user", "at"]
    can_delete = False


class EscalationTimerInline(admin.TabularInline):
    model = EscalationTimer
    extra = 0
    readonly_fields = ["escalate_to_role", "timeout_seconds", "created_at", "due_at", "fired_at", "claimed_by",
                       "cancelled_at", "cancel_reason"]
    can_delete = False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    # Alerts change only through the actions (audited, with their events): read-only here.
    list_display = ["id", "school", "action", "tier", "exercise", "status", "raised_by", "raised_at", "escalated_at"]
    list_filter = ["status", "action", "tier", "exercise"]
    search_fields = ["school__name", "reason", "raised_by__username"]
    date_hierarchy = "raised_at"
    inlines = [AcknowledgementInline, EscalationTimerInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agency", "school", "enabled", "ack_timeout_seconds", "escalate_to_role", "repeats",
                    "repeat_every_seconds", "updated_at"]
    list_filter = ["enabled", "escalate_to_role"]
    autocomplete_fields = ["agency", "school"]


@admin.register(ActionRoute)
class ActionRouteAdmin(admin.ModelAdmin):
    """Routing by action as data (alerts/routing.py has the defaults used where no row exists)."""

    list_display = ["__str__", "agency", "district", "action", "tier", "dispatch", "escalate"]
    list_filter = ["action", "tier", "dispatch", "escalate"]
    autocomplete_fields = ["agency", "district"]
    filter_horizontal = ["also_notify"]


@admin.register(DrillWindow)
class DrillWindowAdmin(admin.ModelAdmin):
    # Registered through the API (audited); read-only here.
    list_display = ["school", "starts_at", "ends_at", "contact", "registered_by", "registered_at"]
    date_hierarchy = "starts_at"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
