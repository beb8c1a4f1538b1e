from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from schoolsafe.events.models import Event, Receipt


class ReadOnly(admin.ModelAdmin):
    """Events and receipts are evidence (who was told what, and when they got it): written only by code."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ["id", "kind", "created_at", "school", "subject_type", "subject_id"]
    list_filter = ["kind"]
    search_fields = ["=id", "=subject_id"]
    date_hierarchy = "created_at"


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ["event", "user", "received_at"]
    search_fields = ["=event__id", "user__username"]
    list_select_related = ["event", "user"]
