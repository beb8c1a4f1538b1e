"""Campaigns and events are edited in the admin; every save goes through the audited actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from schoolsafe.public.actions import do_save_campaign, do_save_event
from schoolsafe.public.models import Campaign, PublicEvent


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title_en", "starts_on", "ends_on", "published", "district", "agency"]
    list_filter = ["published"]
    prepopulated_fields = {"slug": ["title_en"]}

    def save_model(self, request: Any, obj: Campaign, form: Any, change: bool) -> None:
        do_save_campaign(request.user, obj, changed=list(form.changed_data))


@admin.register(PublicEvent)
class PublicEventAdmin(admin.ModelAdmin):
    list_display = ["title_en", "starts_at", "location", "published", "district", "agency"]
    list_filter = ["published"]
    exclude = ["sequence"]

    def save_model(self, request: Any, obj: PublicEvent, form: Any, change: bool) -> None:
        do_save_event(request.user, obj, changed=list(form.changed_data))
