"""The audit page's filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils import timezone

# Past this many organizations a drop-down is no help; the filter takes "school:12" typed in.
MAX_CHOICES = 300
ORG_KEY = RegexValidator(r"^(agency|district|school):\d+$", "Write it as kind:id, for example school:12.")


class AuditFilterForm(forms.Form):
    """Narrow the visible audit rows by who, what, which object, which organization and when."""

    actor = forms.CharField(required=False, max_length=150, label="Actor",
                            help_text="Username, or part of it.")
    action = forms.CharField(required=False, max_length=80, label="Action",
                             help_text="An action or its beginning, e.g. alerts. or core.import_schools.")
    object_type = forms.CharField(required=False, max_length=80, label="Object type",
                                  help_text="e.g. core.school")
    object_id = forms.CharField(required=False, max_length=64, label="Object id")
    organization = forms.CharField(required=False, max_length=80, label="Organization",
                                   validators=[ORG_KEY], help_text="kind:id, e.g. school:12")
    date_from = forms.DateField(required=False, label="From (date)",
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To (date, inclusive)",
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organizations: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None and len(organizations) <= MAX_CHOICES:
            self.fields["organization"] = forms.ChoiceField(
                required=False, label="Organization", choices=[("", "Any organization"), *organizations]
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def apply(self, entries: QuerySet) -> QuerySet:
        """The entries narrowed by the (valid) filters."""
        data = self.cleaned_data
        if data.get("actor"):
            entries = entries.filter(actor_name__icontains=data["actor"])
        if data.get("action"):
            entries = entries.filter(action__startswith=data["action"])
        if data.get("object_type"):
            entries = entries.filter(object_type=data["object_type"].lower())
        if data.get("object_id"):
            entries = entries.filter(object_id=data["object_id"])
        if data.get("organization"):
            entries = entries.filter(organization=data["organization"])
        zone = timezone.get_current_timezone()
        if data.get("date_from"):
            entries = entries.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time.min, zone))
        if data.get("date_to"):
            day_after = data["date_to"] + dt.timedelta(days=1)
            entries = entries.filter(at__lt=dt.datetime.combine(day_after, dt.time.min, zone))
        return entries

    def active_filters(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.cleaned_data.items() if v} if self.is_bound and self.is_valid() else {}
