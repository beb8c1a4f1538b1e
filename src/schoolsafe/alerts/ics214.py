"""The ICS 214 activity log of an incident, as CSV and as PDF: a view of the incident timeline.

The boxes follow FEMA's ICS 214 form: 1 incident name, 2 operational period, 3-5 the person whose log
it is (here, who prepared it) with ICS position and home agency, 6 resources assigned (the people who
acted during the incident), 7 the activity log (date/time, notable activities), 8 prepared by (name,
position/title, date/time prepared). Times are the school's local time with its UTC offset.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from schoolsafe.alerts.models import Alert
from schoolsafe.alerts.timeline import Entry, timeline_for


@dataclass(frozen=True)
class Person:
    name: str
    position: str
    agency: str


@dataclass(frozen=True)
class ActivityLog:
    """Everything an ICS 214 shows, ready to write out."""

    alert_id: int
    incident_name: str
    period_from: dt.datetime
    period_to: dt.datetime
    ongoing: bool
    prepared_by: Person
    prepared_at: dt.datetime
    resources: list[Person]
    entries: list[Entry]
    zone: dt.tzinfo


def _zone(alert: Alert) -> dt.tzinfo:
    try:
        return ZoneInfo(alert.school.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def local(value: dt.datetime, zone: dt.tzinfo) -> str:
    """A time as the log shows it: the school's local date and time with the UTC offset."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %z")


def describe(user: Any) -> Person:
    """A person with their position (their title, else their roles) and home agency (their organizations)."""
    from schoolsafe.accounts.roles import ROLES

    memberships = list(user.memberships.select_related("agency", "district", "school"))
    roles = sorted({ROLES[m.role].label if m.role in ROLES else m.role for m in memberships})
    organizations = sorted({str(m.organization) for m in memberships})
    return Person(user.full_name or user.username, user.title or ", ".join(roles), ", ".join(organizations))


def incident_name(alert: Alert) -> str:
    """E.g. "Lockdown (exercise) at School A High, 2025-03-04" (the date in the school's time zone)."""
    drill = " (exercise)" if alert.exercise else ""
    kind = "Assist call" if alert.tier == "assist" else alert.get_action_display()
    return f"{kind}{drill} at {alert.school.name}, {alert.raised_at.astimezone(_zone(alert)):%Y-%m-%d} (alert {alert.pk})"


def activity_log(alert: Alert, prepared_by: Any) -> ActivityLog:
    """The ICS 214 of `alert` as prepared now by `prepared_by`."""
    now = timezone.now()
    end = alert.all_clear_at or alert.cancelled_at
    actors: dict[int, Any] = {}
    for user in [alert.raised_by, *(a.user for a in alert.acknowledgements.select_related("user")),
                 *(r.reported_by for r in alert.room_statuses.select_related("reported_by")),
                 *(m.author for m in alert.messages.select_related("author")),
                 alert.all_clear_by, alert.cancelled_by]:
        if user is not None:
            actors.setdefault(user.pk, user)
    return ActivityLog(
        alert_id=alert.pk,
        incident_name=incident_name(alert),
        period_from=alert.raised_at,
        period_to=end or now,
        ongoing=end is None,
        prepared_by=describe(prepared_by),
        prepared_at=now,
        resources=sorted((describe(u) for u in actors.values()), key=lambda p: p.name.casefold()),
        entries=timeline_for(alert, names=True),  # restricted to `export` and audited by the caller
        zone=_zone(alert),
    )


def activity_text(entry: Entry) -> str:
    """The "notable activity" column: what happened, and who did it."""
    return f"{entry.text} ({entry.actor})" if entry.actor else entry.text


def _cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: user text (messages) must not run as one.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def as_csv(log: ActivityLog) -> str:
    """The log as CSV: the form's boxes as labelled rows, then the activity log as a table."""
    out = io.StringIO()
    w = csv.writer(out)
    z = log.zone
    w.writerow(["ICS 214 Activity Log"])
    w.writerow(["1. Incident Name", _cell(log.incident_name)])
    w.writerow(["2. Operational Period", "From", local(log.period_from, z), "To",
                local(log.period_to, z) + (" (ongoing)" if log.ongoing else "")])
    w.writerow(["3. Name", _cell(log.prepared_by.name)])
    w.writerow(["4. ICS Position", _cell(log.prepared_by.position)])
    w.writerow(["5. Home Agency (and Unit)", _cell(log.prepared_by.agency)])
    w.writerow(["6. Resources Assigned", "Name", "ICS Position", "Home Agency (and Unit)"])
    for person in log.resources:
        w.writerow(["", _cell(person.name), _cell(person.position), _cell(person.agency)])
    w.writerow(["7. Activity Log", "Date/Time", "Notable Activities", "Kind", "By"])
    for entry in log.entries:
        w.writerow(["", local(entry.at, z), _cell(activity_text(entry)), entry.kind, _cell(entry.actor or "")])
    w.writerow(["8. Prepared by", "Name", _cell(log.prepared_by.name), "Position/Title", _cell(log.prepared_by.position),
                "Date/Time", local(log.prepared_at, z)])
    return out.getvalue()


def as_pdf(log: ActivityLog) -> bytes:
    """The log as a PDF laid out like the ICS 214 form (ReportLab, pure Python)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    title = ParagraphStyle("title", parent=styles["Title"], fontSize=16, leading=20, alignment=0, spaceAfter=6)
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=9, leading=11)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")
    grid = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.92, 0.96)),
    ])

    def p(text: str, style: ParagraphStyle = cell) -> Paragraph:
        # Paragraph reads a small markup language: user text is escaped, or a "<" would break the PDF.
        return Paragraph(html.escape(text, quote=False).replace("\n", "<br/>"), style)

    def table(rows: list[list[str]], widths: list[float], header: bool = True) -> Table:
        t = Table([[p(c, head if header and i == 0 else cell) for c in row] for i, row in enumerate(rows)],
                  colWidths=widths, repeatRows=1 if header else 0)
        t.setStyle(grid if header else TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    z = log.zone
    width = 7.5 * inch
    period_to = local(log.period_to, z) + (" (ongoing)" if log.ongoing else "")
    story: list[Any] = [
        p("ACTIVITY LOG (ICS 214)", title),
        table([["1. Incident Name", "2. Operational Period"],
               [log.incident_name, f"From: {local(log.period_from, z)}\nTo: {period_to}"]],
              [width * 0.55, width * 0.45]),
        Spacer(1, 6),
        table([["3. Name", "4. ICS Position", "5. Home Agency (and Unit)"],
               [log.prepared_by.name, log.prepared_by.position, log.prepared_by.agency]],
              [width / 3] * 3),
        Spacer(1, 6),
        table([["6. Resources Assigned: Name", "ICS Position", "Home Agency (and Unit)"],
               *[[r.name, r.position, r.agency] for r in log.resources]],
              [width / 3] * 3),
        Spacer(1, 6),
        table([["7. Activity Log: Date/Time", "Notable Activities"],
               *[[local(e.at, z), activity_text(e)] for e in log.entries]],
              [width * 0.27, width * 0.73]),
        Spacer(1, 6),
        table([["8. Prepared by: Name", "Position/Title", "Signature", "Date/Time"],
               [log.prepared_by.name, log.prepared_by.position, "", local(log.prepared_at, z)]],
              [width * 0.3, width * 0.3, width * 0.15, width * 0.25]),
    ]

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(0.5 * inch, 0.3 * inch, f"ICS 214, Page {document.page}  -  SchoolSafe, from the incident "
                                                  f"timeline of alert {log.alert_id}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=LETTER, leftMargin=0.5 * inch, rightMargin=0.5 * inch,
                            topMargin=0.5 * inch, bottomMargin=0.5 * inch,
                            title=f"ICS 214 Activity Log: {log.incident_name}", author=log.prepared_by.name)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
