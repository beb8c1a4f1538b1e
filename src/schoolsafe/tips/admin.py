"""Only the on-call rota is edited in the admin; tips themselves are handled on the tip line's pages,
where every read and write goes through the access policy and the audit log."""

from __future__ import annotations

from django.contrib import admin

from schoolsafe.tips.models import OnCallShift


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):
    list_display = ["user", "district", "agency", "starts_at", "ends_at"]
    list_filter = ["district", "agency"]
    raw_id_fields = ["user"]
