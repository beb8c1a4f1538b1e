"""Form rendering helpers: inputs that tell assistive technology about their hint and their error."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def described_widget(field: Any, hint: bool = False, **attrs: Any) -> SafeString:
    """The field's input with aria-describedby (hint, error) and aria-invalid when it has an error."""
    ids = []
    if hint:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)
