"""The ICS 214 activity log of an incident, as CSV and as PDF: a view of the incident timeline.

The boxes follow FEMA's ICS 214 form: 1 incident name, 2 operational period, 3-5 the unit or person the
log belongs to (here the incident's command: its incident commander) with ICS position and home agency,
6 resources assigned (the people who acted during the incident, each with an ICS position), 7 the
activity log (date/time, notable activities), 8 prepared by (name, position/title, date/time prepared).
Times are the school's local time with its UTC offset. Continuation pages repeat the incident name and
the operational period, as the form's page 2 does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from schoolsafe.alerts.models import Alert
from schoolsafe.alerts.timeline import Entry, timeline_for

# The ICS position a person holds in a school incident, by their role (NIMS ICS as schools use it: the
# principal commands until law enforcement arrives; police then command, in unified command with the
# school). First match in this order wins for a person with several roles.
ICS_POSITIONS = {
    "police_supervisor": "Incident Commander (law enforcement, unified command)",
    "school_admin": "Incident Commander (school)",
    "officer": "Law Enforcement Liaison (school resource officer)",
    "district_director": "Liaison Officer (school district)",
    "dispatcher": "Communications Unit (dispatch)",
    "agency_admin": "Liaison Officer (agency)",
    "ta_member": "Operations: student care",
    "staff": "Operations: student care (classroom)",
}
# Who commands, most senior first: the incident commander is the first of these roles among the people
# who acted (ICS: command passes to the most qualified responder on scene).
COMMAND_ORDER = ("police_supervisor", "school_admin", "officer", "district_director", "dispatcher")


@dataclass(frozen=True)
class Person:
    name: str
    position: str
    agency: str
    title: str = ""


@dataclass(frozen=True)
class ActivityLog:
    """Everything an ICS 214 shows, ready to write out."""

    alert_id: int
    incident_name: str
    period_from: dt.datetime
    period_to: dt.datetime
    ongoing: bool
    log_of: Person
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


def _roles(user: Any) -> list[Any]:
    return list(user.memberships.select_related("agency", "district", "school"))


def ics_position(roles: set[str]) -> str:
    for role, position in ICS_POSITIONS.items():
        if role in roles:
            return position
    return "Operations"


def describe(user: Any) -> Person:
    """A person with their ICS position (by role), home agency (their organizations) and title (their
    title, else their roles)."""
    from schoolsafe.access.roles import ROLES

    memberships = _roles(user)
    labels = sorted({ROLES[m.role].label if m.role in ROLES else m.role for m in memberships})
    organizations = sorted({str(m.organization) for m in memberships})
    return Person(user.full_name or user.username, ics_position({m.role for m in memberships}),
                  ", ".join(organizations), user.title or ", ".join(labels))


def incident_commander(actors: list[Any]) -> Any:
    """The person in command among those who acted: the first by COMMAND_ORDER, else who raised it."""
    for role in COMMAND_ORDER:
        for user in actors:
            if any(m.role == role for m in user.memberships.all()):
                return user
    return actors[0]


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
    commander = describe(incident_commander(list(actors.values())))
    return ActivityLog(
        alert_id=alert.pk,
        incident_name=incident_name(alert),
        period_from=alert.raised_at,
        period_to=end or now,
        ongoing=end is None,
        log_of=Person(f"Incident command: {commander.name}", commander.position, commander.agency, commander.title),
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


CSV_COLUMNS = ["Box", "Incident Name", "Operational Period From", "Operational Period To", "Name", "ICS Position",
               "Home Agency (and Unit)", "Position/Title", "Date/Time", "Notable Activities", "Kind"]


def as_csv(log: ActivityLog) -> str:
    """The log as CSV: one header row and a fixed set of columns (CSV_COLUMNS), one row per box 3-5, per
    resource (6), per activity (7) and for box 8, each repeating the incident name and period (1, 2), so
    that a spreadsheet or pandas reads it as one table."""
    out = io.StringIO()
    w = csv.writer(out)
    z = log.zone
    period_to = local(log.period_to, z) + (" (ongoing)" if log.ongoing else "")
    w.writerow(CSV_COLUMNS)

    def row(box: str, *, person: Person | None = None, at: str = "", activity: str = "", kind: str = "",
            name: str = "") -> None:
        who = [person.name, person.position, person.agency, person.title] if person else [name, "", "", ""]
        w.writerow([box, _cell(log.incident_name), local(log.period_from, z), period_to,
                    *(_cell(v) for v in who), at, _cell(activity), kind])

    row("3-5. Log of", person=log.log_of)
    for person in log.resources:
        row("6. Resources Assigned", person=person)
    for entry in log.entries:
        row("7. Activity Log", at=local(entry.at, z), activity=activity_text(entry), kind=entry.kind,
            name=entry.actor or "")
    row("8. Prepared by", person=log.prepared_by, at=local(log.prepared_at, z))
    return out.getvalue()


def as_pdf(log: ActivityLog) -> bytes:
    """The log as a PDF laid out like the ICS 214 form (ReportLab, pure Python)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from schoolsafe.core.pdffonts import SANS, SANS_BOLD, markup, register

    # A Unicode font, so that every name prints ("Nguyễn Thị Ánh", "Łukasz", "李明").
    register()
    styles = getSampleStyleSheet()
    title = ParagraphStyle("title", parent=styles["Title"], fontName=SANS_BOLD, fontSize=16, leading=20, alignment=0,
                           spaceAfter=6)
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontName=SANS, fontSize=9, leading=11)
    head = ParagraphStyle("head", parent=cell, fontName=SANS_BOLD)
    small = ParagraphStyle("small", parent=cell, fontSize=8, leading=10)
    grid = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.92, 0.96)),
    ])

    def p(text: str, style: ParagraphStyle = cell) -> Paragraph:
        # Paragraph reads a small markup language: user text is escaped, or a "<" would break the PDF.
        return Paragraph(markup(text), style)

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
               [log.log_of.name, log.log_of.position, log.log_of.agency]],
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
               [log.prepared_by.name, log.prepared_by.title, "", local(log.prepared_at, z)]],
              [width * 0.3, width * 0.3, width * 0.15, width * 0.25]),
    ]

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(SANS, 8)
        canvas.drawString(0.5 * inch, 0.3 * inch, f"ICS 214, Page {document.page}  -  SchoolSafe, from the incident "
                                                  f"timeline of alert {log.alert_id}")
        canvas.restoreState()

    def continuation(canvas: Any, document: Any) -> None:
        # The form's continuation page repeats boxes 1 and 2: a page on its own still says which incident
        # and which period it belongs to.
        footer(canvas, document)
        canvas.saveState()
        header = p(f"ICS 214 (continued)  1. Incident Name: {log.incident_name}\n"
                   f"2. Operational Period: From {local(log.period_from, z)} To {period_to}", small)
        _, height = header.wrapOn(canvas, width, inch)
        header.drawOn(canvas, 0.5 * inch, LETTER[1] - 0.2 * inch - height)
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=LETTER, leftMargin=0.5 * inch, rightMargin=0.5 * inch,
                            topMargin=0.7 * inch, bottomMargin=0.5 * inch,
                            title=f"ICS 214 Activity Log: {log.incident_name}", author=log.prepared_by.name)
    doc.build(story, onFirstPage=footer, onLaterPages=continuation)
    return out.getvalue()
