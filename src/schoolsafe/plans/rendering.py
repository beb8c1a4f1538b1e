"""Markdown of plan sections, rendered to HTML that is safe to put in a page.

markdown-it-py renders CommonMark with raw HTML switched off; nh3 (the Rust ammonia sanitizer) then keeps
only the tags and attributes below, so a section cannot carry a script, a style or a javascript: link
even if the renderer were to let one through.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> SafeString:
    """The section text as sanitized HTML."""
    html = _md.render(text or "")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer")
    # Safe: sanitized by nh3 just above.
    return mark_safe(clean)  # noqa: S308  # nosec B308 B703
