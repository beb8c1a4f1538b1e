"""Server-rendered SVG plots of the equity dashboard (matplotlib, no display, no script).

The SVG is written into the page itself, so it must pass the page's Content-Security-Policy, which refuses
inline styles: matplotlib's `style="..."` attributes and its `<style>` element are rewritten as SVG
presentation attributes, which CSP does not govern. Each plot is `role="img"` with a `<title>` that
says what it shows; the table beside it carries every number (WCAG 2.1, 1.1.1 non-text content). Ids are
prefixed per plot so that several plots on one page keep their clip paths apart.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from schoolsafe.sro.equity import DimensionTable  # noqa: E402

BAR = "#1f5f8b"
REFERENCE_BAR = "#6b6b6b"
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
# Properties that SVG also takes as attributes (SVG 1.1, "presentation attributes").
PRESENTATION = {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
                "stroke-miterlimit", "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "opacity",
                "font-family", "font-size", "font-weight", "font-style", "text-anchor", "clip-path"}


def _rc() -> dict[str, Any]:
    return {"svg.fonttype": "none", "svg.hashsalt": "schoolsafe-sro", "font.size": 11}


def _style_to_attributes(match: re.Match[str]) -> str:
    attrs = []
    for part in match.group(1).split(";"):
        if ":" not in part:
            continue
        name, value = (p.strip() for p in part.split(":", 1))
        if name == "font":
            # "font: 10px 'DejaVu Sans'" or "font: 700 12px 'DejaVu Sans'"
            size = re.search(r"([\d.]+px)", value)
            family = re.search(r"'([^']+)'|\"([^\"]+)\"", value)
            weight = re.match(r"(bold|\d00)\s", value)
            if size:
                attrs.append(f'font-size="{size.group(1)}"')
            if family:
                attrs.append(f'font-family="{family.group(1) or family.group(2)}, sans-serif"')
            if weight:
                attrs.append(f'font-weight="{weight.group(1)}"')
        elif name in PRESENTATION:
            attrs.append(f'{name}="{value}"')
    return " ".join(attrs)


def clean_svg(svg: str, prefix: str, title: str) -> str:
    """matplotlib's SVG made fit for inline use under a strict CSP: no XML prologue or metadata, no style
    element or attribute, ids prefixed, role="img" with a title."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'style="([^"]*)"', _style_to_attributes, svg)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: m.group(0) if m.group(1).startswith(prefix) else
                 f'href="#{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r'<svg([^>]*?)\s+width="[^"]*"\s+height="[^"]*"', r"<svg\1", svg, count=1)
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    svg = svg.replace("<svg", f'<svg role="img" aria-labelledby="{prefix}-title" class="plot" '
                              f'stroke-linejoin="round" stroke-linecap="butt"', 1)
    return re.sub(r"(<svg[^>]*>)", rf'\1<title id="{prefix}-title">{escaped}</title>', svg, count=1)


def _render(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()


def summary_of(table: DimensionTable, where: str) -> str:
    """The plot's title: what it shows, with the figures a sighted reader would read off it."""
    parts = []
    for row in table.rows:
        if row.suppressed:
            parts.append(f"{row.label}: fewer than 10, not shown")
        else:
            parts.append(f"{row.label}: {row.rate:g} per 1,000" if row.rate is not None else f"{row.label}: no rate")
    return f"Referrals per 1,000 enrolled students by {table.label.lower()}, {where}. " + "; ".join(parts) + "."


def dimension_svg(table: DimensionTable, where: str, prefix: str) -> str:
    """A horizontal bar per group: its rate per 1,000; a suppressed group is named and marked
    "fewer than 10" instead of a bar (never an empty bar that would read as zero)."""
    with matplotlib.rc_context(_rc()):  # type: ignore[arg-type]  # the stubs want literal keys
        rows = list(table.rows)
        fig = Figure(figsize=(5.2, 0.6 + 0.55 * max(len(rows), 1)))
        ax = fig.add_subplot()
        labels = [textwrap.fill(r.label, 22) for r in rows]
        values = [r.rate or 0 for r in rows]
        colours = [REFERENCE_BAR if r.reference else BAR for r in rows]
        positions = list(range(len(rows)))
        ax.barh(positions, values, color=colours)
        top = max(values + [1])
        for y, row in zip(positions, rows, strict=True):
            if row.suppressed:
                text = "fewer than 10 (suppressed)"
            else:
                text = f"{row.rate:g}" + (f"  RRI {row.rri:g}" if row.rri is not None and not row.reference else "")
                text += "  (reference)" if row.reference else ""
            ax.text((row.rate or 0) + top * 0.01, y, text, va="center", fontsize=10)
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.9)
        ax.set_xlabel("Referrals per 1,000 enrolled")
        ax.spines[["top", "right"]].set_visible(False)
        return clean_svg(_render(fig), prefix, summary_of(table, where))


def trend_svg(terms: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str,
              prefix: str) -> str:
    """One line per group across terms, each with its own marker shape (not colour alone); a suppressed
    term is a gap in the line."""
    with matplotlib.rc_context(_rc()):  # type: ignore[arg-type]  # the stubs want literal keys
        fig = Figure(figsize=(5.2, 3.4))
        ax = fig.add_subplot()
        x = list(range(len(terms)))
        for i, (label, values) in enumerate(series):
            ys = [v if v is not None else float("nan") for v in values]
            ax.plot(x, ys, marker=MARKERS[i % len(MARKERS)], label=textwrap.fill(label, 24))
        ax.set_xticks(x, [t.replace(" ", "\n") for t in terms])
        ax.set_ylabel("Referrals per 1,000 enrolled")
        ax.set_ylim(bottom=0)
        ax.spines[["top", "right"]].set_visible(False)
        if series:
            ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        return clean_svg(_render(fig), prefix, title)
