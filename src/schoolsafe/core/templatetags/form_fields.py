"""Filters for the project's form templates (templates/schoolsafe/forms/)."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def marks_optional(form: forms.BaseForm) -> bool:
    """Whether a form marks its optional fields "(optional)": only when some field is required. A form of
    optional fields only (a search's filters) would otherwise say it on every label."""
    return any(field.required for field in form.fields.values())
