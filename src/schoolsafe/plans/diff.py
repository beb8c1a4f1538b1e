"""A readable comparison of two versions of a plan."""

from __future__ import annotations

import difflib

from django.utils.safestring import SafeString, mark_safe

from schoolsafe.plans.models import PlanVersion


def version_lines(version: PlanVersion) -> list[str]:
    """The version as plain text lines: team, ranked risk assessment, then each section's markdown."""
    lines = ["# Planning team"]
    lines += [f"- {m.name}, {m.role}" + (f" ({m.organization})" if m.organization else "")
              + (f", {m.phone}" if m.phone else "") for m in version.team.all()]
    lines += ["", "# Threats and hazards (ranked)"]
    for rank, h in enumerate(version.ranked_hazards(), start=1):
        lines.append(f"{rank}. {h.name} ({h.get_category_display()}): probability {h.probability}, magnitude "
                     f"{h.magnitude}, warning time {h.warning_time}, duration {h.duration}; risk {h.risk_score:.2f} "
                     f"({h.priority})")
    for section in version.sections.all():
        lines += ["", f"# {section.title}", *section.body.splitlines()]
    return lines


def changed_sections(old: PlanVersion, new: PlanVersion) -> dict[str, list[str]]:
    """Titles of the sections added, removed and changed from `old` to `new`."""
    before = {s.key: s for s in old.sections.all()}
    after = {s.key: s for s in new.sections.all()}
    return {
        "added": [after[k].title for k in after if k not in before],
        "removed": [before[k].title for k in before if k not in after],
        "changed": [after[k].title for k in after if k in before
                    and (after[k].body, after[k].title) != (before[k].body, before[k].title)],
    }


def diff_table(old: PlanVersion, new: PlanVersion) -> SafeString:
    """A side-by-side HTML table of the lines that differ, with two lines of context.

    difflib.HtmlDiff escapes &, < and > in every line it writes, so plan text cannot inject markup.
    """
    table = difflib.HtmlDiff().make_table(
        version_lines(old), version_lines(new), fromdesc=f"Version {old.number}", todesc=f"Version {new.number}",
        context=True, numlines=2)
    # HtmlDiff keeps spacing with &nbsp; and forbids wrapping; plain spaces in cells styled white-space:
    # pre-wrap keep the spacing and let long paragraphs wrap on a phone.
    table = table.replace("&nbsp;", " ").replace(' nowrap="nowrap"', "")
    # Safe: difflib escapes the text it puts in the table.
    return mark_safe(table)  # noqa: S308  # nosec B308 B703
