"""`{% page_assets as assets %}`: the registered apps' page assets (schoolsafe.registry.PageAssets) that
apply to the page being rendered, gathered for templates/base.html, which so names no app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template

from schoolsafe import registry

register = template.Library()


@dataclass
class PageParts:
    """The assets of every qualifying app, merged by kind in INSTALLED_APPS order."""

    css: list[str] = field(default_factory=list)
    js: list[str] = field(default_factory=list)
    live_js: list[str] = field(default_factory=list)
    live_includes: list[str] = field(default_factory=list)
    head_includes: list[str] = field(default_factory=list)
    main_includes: list[str] = field(default_factory=list)
    footer_includes: list[str] = field(default_factory=list)
    body_data: list[tuple[str, Any]] = field(default_factory=list)


def _applies(assets: registry.PageAssets, context: template.Context) -> bool:
    if assets.when is not None and not context.get(assets.when):
        return False
    if assets.signed_in:
        user = context.get("user")
        return bool(user is not None and user.is_authenticated)
    return True


@register.simple_tag(takes_context=True)
def page_assets(context: template.Context) -> PageParts:
    parts = PageParts()
    for assets in registry.page_assets():
        if not _applies(assets, context):
            continue
        for name in ("css", "js", "live_js", "live_includes", "head_includes", "main_includes", "footer_includes"):
            getattr(parts, name).extend(getattr(assets, name))
        for attribute, variable in assets.body_data:
            value = context.get(variable, "")
            # Lazy values (a query only the pages that render it pay for) are callables in the context.
            parts.body_data.append((attribute, value() if callable(value) else value))
    return parts
