"""An alert as OASIS CAP 1.2 messages, and an Atom feed of them.

Each alert is a sequence of CAP messages: the `Alert` when it is raised, an `Update` when it escalates or
a room reports a state responders must act on (need help, injured, missing, extra: an "ok" is not news
to another system), and at the end an `Update` with responseType AllClear (the all clear) or a `Cancel`
(raised by mistake). Every message after the first lists all earlier ones in `references`.

The sequence is read from the alert's own event rows (the outbox: alert.raised, alert.escalated,
alert.room_status, alert.all_clear, alert.cancelled), so a message's number, identifier and `sent` time
are the same however often it is rendered. Identifiers: `urn:schoolsafe:<host>:alert:<id>:<n>`, where
<host> is SCHOOLSAFE_CAP_HOST (else the first concrete ALLOWED_HOSTS name); keep it fixed for a
deployment, or identifiers change.

CAP rules followed (CAP-v1.2.xsd): element order of the schema; `sent` with a numeric UTC offset, never
"Z", without fractions of a second; a circle is "lat,lon radius_km" (CAP is latitude first; GeoJSON is
the other way round). Room reports go out as counts only: students' names stay in SchoolSafe.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import xml.etree.ElementTree as ET  # noqa: S405 - we only build and serialize XML here, never parse it
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from schoolsafe.alerts.models import Alert, RoomState, RoomStatus
from schoolsafe.alerts.timeline import ROLE_NAMES, raised_text
from schoolsafe.alerts.wording import all_clear_text, directive

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIME = "application/cap+xml"
# Prefixes for the feed, where both vocabularies meet (ElementTree cannot combine a default namespace with
# the feed's unqualified attributes such as rel= and href=, so the feed's elements carry "atom:").
ET.register_namespace("cap", CAP_NS)
ET.register_namespace("atom", ATOM_NS)

# How far around the school the alert applies (a campus and its approaches).
AREA_RADIUS_KM = 0.5

# CAP responseType per SRP action. Lockdown and secure keep people inside: Shelter. Hold keeps them where
# they are while the halls are cleared; outside the building nothing is asked, so others Monitor.
RESPONSE_TYPES = {"lockdown": "Shelter", "secure": "Shelter", "hold": "Monitor", "evacuate": "Evacuate",
                  "shelter": "Shelter"}
SEVERITIES = {"lockdown": "Extreme", "evacuate": "Severe", "shelter": "Severe", "secure": "Moderate", "hold": "Minor"}
# CAP category for a Shelter by its hazard; every other action is about a threat to people: Security.
HAZARD_CATEGORIES = {"tornado": "Met", "earthquake": "Geo", "tsunami": "Geo", "hazmat": "CBRNE", "other": "Safety"}
# Events that make a CAP message, and which kind.
# A change of action (Secure -> Lockdown, one incident) and a cancel that awaits dispatch's call-back are
# Updates of the same incident: CAP 1.2 msgType "Update" supersedes the earlier messages it lists in
# <references>, so a receiving system keeps one incident, as SchoolSafe does.
MESSAGE_KINDS = {"alert.raised": "Alert", "alert.escalated": "Update", "alert.room_status": "Update",
                 "alert.action_changed": "Update", "alert.cancel_requested": "Update",
                 "alert.all_clear": "Update", "alert.cancelled": "Cancel"}
# The alert's fields that a change of action changes: each message is rendered with those of its time.
ACTION_FIELDS = ("action", "hazard", "strategy", "evacuate_to")
NEWS_ROOM_STATES = {RoomState.NEED_HELP, RoomState.INJURED, RoomState.MISSING, RoomState.EXTRA}

# How long a message stays in force after the latest message of an alert still in force, per action
# (seconds; the setting SCHOOLSAFE_CAP_EXPIRES overrides any of them), and after an alert's end (the all
# clear or the cancel: SCHOOLSAFE_CAP_ENDED_EXPIRES). CAP 1.2 `expires`: a system following the feed
# drops a message after it, so none keeps a lockdown or a tornado shelter forever.
EXPIRES_AFTER_SECONDS = {"lockdown": 3600, "secure": 3600, "hold": 1800, "evacuate": 3600, "shelter": 3600}
ENDED_EXPIRES_AFTER_SECONDS = 3600


def cap_host() -> str:
    """The name in CAP identifiers and the sender: SCHOOLSAFE_CAP_HOST, else the first concrete host."""
    configured = getattr(settings, "SCHOOLSAFE_CAP_HOST", "")
    if configured:
        return configured
    for host in settings.ALLOWED_HOSTS:
        name = host.lstrip(".")
        if name and name != "*" and not name.startswith("["):
            return name
    return "localhost"


def sender() -> str:
    return f"schoolsafe@{cap_host()}"


def incident_id(alert: Alert) -> str:
    return f"urn:schoolsafe:{cap_host()}:alert:{alert.pk}"


def cap_time(value: dt.datetime, zone: dt.tzinfo) -> str:
    """A CAP dateTime: local time with a numeric offset ("+00:00", never "Z"), whole seconds."""
    return value.astimezone(zone).replace(microsecond=0).isoformat()


def school_zone(alert: Alert) -> dt.tzinfo:
    try:
        return ZoneInfo(alert.school.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


@dataclass(frozen=True)
class CapMessage:
    """One message of an alert's CAP sequence (number n from 1), before it is written as XML."""

    n: int
    msg_type: str
    event_kind: str
    at: dt.datetime
    identifier: str
    sent: str
    update: str = ""
    references: tuple[str, ...] = field(default_factory=tuple)
    # The action (and its hazard, strategy, destination) in force when the message was sent.
    action: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def reference(self) -> str:
        """This message as another refers to it: "sender,identifier,sent"."""
        return f"{sender()},{self.identifier},{self.sent}"


def _accounting(reports: list[RoomStatus]) -> str:
    latest: dict[str, RoomStatus] = {}
    for report in reports:
        latest[" ".join(report.room.split()).casefold()] = report
    states = {state: sum(1 for r in latest.values() if r.status == state) for state in RoomState}
    listed = ", ".join(f"{state.label.lower()}: {n}" for state, n in states.items() if n)
    people = (f"{sum(r.present or 0 for r in latest.values())} present, "
              f"{sum(r.injured or 0 for r in latest.values())} injured, "
              f"{sum(len(r.missing or []) for r in latest.values())} missing, "
              f"{sum(len(r.extra or []) for r in latest.values())} extra")
    rooms = f"{len(latest)} room{'s' if len(latest) != 1 else ''}"
    return f"Accounting for persons: {rooms} reported ({listed}); {people}."


def messages_for(alert: Alert) -> list[CapMessage]:
    """The alert's CAP messages, in order, each referring to every earlier one."""
    from schoolsafe.events.models import Event

    events = list(
        Event.objects.filter(subject_type="alerts.alert", subject_id=str(alert.pk), kind__in=list(MESSAGE_KINDS))
        .order_by("id").values_list("kind", "created_at", "data")
    )
    if not any(kind == "alert.raised" for kind, _, _ in events):
        # An alert made without its event (an import, a fixture) still has its first message.
        events.insert(0, ("alert.raised", alert.raised_at, {}))
    reports = list(alert.room_statuses.order_by("id"))
    zone = school_zone(alert)
    out: list[CapMessage] = []
    in_force: tuple[tuple[str, str], ...] = ()
    for kind, at, data in events:
        update = ""
        if kind in ("alert.raised", "alert.action_changed") and data.get("action"):
            in_force = tuple((name, data.get(name) or "") for name in ACTION_FIELDS)
        if kind == "alert.action_changed":
            previous = str(data.get("previous_action") or "").upper()
            update = f"Changed from {previous} to {str(data.get('action') or '').upper()}."
            by = (data.get("changed_by") or {}).get("name")
            if by:
                update += f" Reported by {by}."
        elif kind == "alert.cancel_requested":
            by = (data.get("cancel_requested_by") or {}).get("name") or "the person who raised it"
            update = (f"Cancellation requested by {by}, not yet confirmed: police dispatch confirms by call-back "
                      "before the incident closes. Until then the alert stands.")
        elif kind == "alert.cancelled" and data.get("cancel_requested_at"):
            by = (data.get("cancel_requested_by") or {}).get("name") or "the person who raised it"
            update = f"Cancellation requested by {by} and confirmed by police dispatch by call-back"
            update += f" (reached: {data['cancel_confirmation']})." if data.get("cancel_confirmation") else "."
        elif kind == "alert.room_status":
            if data.get("status") not in NEWS_ROOM_STATES:
                continue
            upto = data.get("id") or 0
            room = data.get("room", "")
            state = RoomState(data["status"]).label.lower()
            update = f"Room {room} reports: {state}. " + _accounting([r for r in reports if r.pk <= upto])
        elif kind == "alert.escalated":
            info = data.get("escalation") or {}
            role = info.get("to_role", "")
            update = f"Escalated to the {ROLE_NAMES.get(role, role.replace('_', ' '))}"
            if info.get("timeout_seconds"):
                update += f": police dispatch had not acknowledged within {info['timeout_seconds']} s"
            update += "."
        n = len(out) + 1
        out.append(CapMessage(
            n=n, msg_type=MESSAGE_KINDS[kind], event_kind=kind, at=at, identifier=f"{incident_id(alert)}:{n}",
            sent=cap_time(at, zone), update=update, references=tuple(m.reference for m in out), action=in_force,
        ))
    return out


def _instruction(alert: Alert, language: str = "en") -> str:
    # The school's SRP wording, as on every other channel (alerts/wording.py).
    text = directive(alert, language)
    if alert.hazard:
        text += f" Hazard: {alert.get_hazard_display()}. Safety strategy: {alert.strategy}."
    if alert.evacuate_to:
        text += f" Evacuate to: {alert.evacuate_to}."
    return text


def _area(alert: Alert) -> tuple[str, str | None]:
    school = alert.school
    place = ", ".join(p for p in (school.name, school.address, school.city, school.state) if p)
    lat, lon = school.latitude, school.longitude
    if lat is None or lon is None:
        lat, lon = alert.latitude, alert.longitude
    circle = f"{lat:.6f},{lon:.6f} {AREA_RADIUS_KM}" if lat is not None and lon is not None else None
    return place, circle


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = plain_text(text)
    return element


def cap_element(alert: Alert, message: CapMessage, expires: dt.datetime | None = None) -> ET.Element:
    """The CAP <alert> element of one message (children in the schema's order); `expires` from
    `expires_for`."""
    if message.action and any(getattr(alert, name) != value for name, value in message.action):
        # An earlier message of an incident whose action changed since: as it was sent.
        alert = copy.copy(alert)
        for name, value in message.action:
            setattr(alert, name, value)
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", message.identifier)
    _sub(root, "sender", sender())
    _sub(root, "sent", message.sent)
    _sub(root, "status", "Exercise" if alert.exercise else "Actual")
    _sub(root, "msgType", message.msg_type)
    _sub(root, "source", "SchoolSafe")
    _sub(root, "scope", "Restricted")
    _sub(root, "restriction", f"For police, emergency services and school officials responding to {alert.school.name}. "
                              "Not for public distribution.")
    if message.event_kind == "alert.all_clear":
        _sub(root, "note", f"All clear: {all_clear_text(alert)}")
    elif message.event_kind == "alert.cancelled":
        _sub(root, "note", f"Cancelled: {message.update}" if message.update
             else "Cancelled: the alert was withdrawn (raised by mistake).")
    elif message.update:
        _sub(root, "note", message.update)
    if message.references:
        _sub(root, "references", " ".join(message.references))
    _sub(root, "incidents", incident_id(alert))

    for language, tag in (("en", "en-US"), ("es", "es-US")):
        _info(root, alert, message, language, tag, expires)
    return root


def _info(root: ET.Element, alert: Alert, message: CapMessage, language: str, tag: str,
          expires: dt.datetime | None = None) -> None:
    """One <info> block: English, then the school's Spanish wording (CAP allows one per language)."""
    ended = message.event_kind in ("alert.all_clear", "alert.cancelled")
    action = alert.get_action_display()
    drill = " (EXERCISE)" if alert.exercise else ""
    info = _sub(root, "info")
    _sub(info, "language", tag)
    category = HAZARD_CATEGORIES.get(alert.hazard, "Safety") if alert.action == "shelter" else "Security"
    _sub(info, "category", category)
    event = f"School {action}" + (f" ({alert.get_hazard_display()})" if alert.hazard else "")
    if alert.tier == "assist":
        event = f"School assist call ({action})"
    _sub(info, "event", event)
    if message.event_kind == "alert.all_clear":
        response = "AllClear"
    elif message.event_kind == "alert.cancelled":
        response = "None"
    else:
        response = RESPONSE_TYPES.get(alert.action, "Monitor")
    _sub(info, "responseType", response)
    _sub(info, "urgency", "Past" if ended else "Immediate")
    severity = "Minor" if ended or alert.tier == "assist" else SEVERITIES.get(alert.action, "Unknown")
    _sub(info, "severity", severity)
    _sub(info, "certainty", "Unlikely" if message.event_kind == "alert.cancelled" else "Observed")
    if expires is not None:
        _sub(info, "expires", cap_time(expires, school_zone(alert)))
    _sub(info, "senderName", f"{alert.school.name} (SchoolSafe)")
    if message.event_kind == "alert.all_clear":
        headline = f"ALL CLEAR{drill}: {action} at {alert.school.name}"
        instruction = all_clear_text(alert, language)
    elif message.event_kind == "alert.cancelled":
        headline = f"CANCELLED{drill}: {action} at {alert.school.name}"
        instruction = "The alert was withdrawn. No action is required."
    else:
        prefix = "UPDATE: " if message.msg_type == "Update" else ""
        # An assist call is a request for staff help, not an SRP action in force: its headline must not
        # read as one ("HOLD" sent to other systems).
        called = "STAFF HELP NEEDED" if alert.tier == "assist" else action.upper()
        headline = f"{prefix}{called}{drill} at {alert.school.name}"
        instruction = _instruction(alert, language)
    _sub(info, "headline", headline[:160])
    description = raised_text(alert)
    if message.update:
        description += f"\nUpdate: {message.update}"
    _sub(info, "description", description)
    _sub(info, "instruction", instruction)
    if alert.school.phone:
        _sub(info, "contact", alert.school.phone)
    area = _sub(info, "area")
    place, circle = _area(alert)
    _sub(area, "areaDesc", place)
    if circle:
        _sub(area, "circle", circle)


def cap_xml(alert: Alert, message: CapMessage, expires: dt.datetime | None = None) -> bytes:
    """One CAP message as an XML document (UTF-8, the CAP namespace as the default)."""
    return ET.tostring(cap_element(alert, message, expires), encoding="utf-8", xml_declaration=True,
                       default_namespace=CAP_NS)


def _atom(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def feed_id(user: Any) -> str:
    """The feed's Atom id for the caller's audience: the same for everyone holding the same roles in the
    same organizations (they see the same alerts), different for another audience (RFC 4287 §4.2.6: an id
    names one feed)."""
    from schoolsafe.access.policy import memberships

    keys = sorted(f"{m.role}:{m.agency_id or ''}:{m.district_id or ''}:{m.school_id or ''}" for m in memberships(user))
    digest = hashlib.sha256("|".join(keys).encode()).hexdigest()[:16]
    return f"urn:schoolsafe:{cap_host()}:cap:feed:{digest}"


def feed_alerts(visible: Any, now: dt.datetime) -> tuple[list[Alert], dt.datetime | None]:
    """The alerts of the feed among `visible` (a queryset the caller may see): those in force, and those
    ended (all clear, cancel) whose messages have not expired yet; and when the latest alert left the
    feed (its messages expired), so that the feed's `updated` never goes back."""
    from django.db.models import Max, Q
    from django.db.models.functions import Coalesce

    keep = now - ended_expires_after()
    ended_at = Coalesce("all_clear_at", "cancelled_at")
    alerts = list(visible.annotate(ended_on=ended_at)
                  .filter(Q(status="active") | Q(ended_on__gt=keep))
                  .select_related("school", "raised_by").order_by("-raised_at", "-id"))
    left = visible.exclude(status="active").annotate(ended_on=ended_at).filter(ended_on__lte=keep) \
        .aggregate(latest=Max("ended_on"))["latest"]
    return alerts, (left + ended_expires_after() if left is not None else None)


def expires_after(action: str) -> dt.timedelta:
    configured = getattr(settings, "SCHOOLSAFE_CAP_EXPIRES", {}) or {}
    return dt.timedelta(seconds=int(configured.get(action, EXPIRES_AFTER_SECONDS.get(action, 3600))))


def ended_expires_after() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "SCHOOLSAFE_CAP_ENDED_EXPIRES", ENDED_EXPIRES_AFTER_SECONDS)))


def expires_for(alert: Alert, messages: list[CapMessage], now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """When the alert's messages expire, and since when that is so (the entry's `updated`).

    Ended (all clear, cancel): the end plus the ended period. In force: the latest message plus the
    action's period; a lockdown still in force past that is not over, so its expiry moves on by whole
    periods (the same value all through one period, so the feed does not change at every request).
    """
    ended = alert.all_clear_at or alert.cancelled_at
    if alert.status != "active" and ended is not None:
        return ended + ended_expires_after(), max(ended, messages[-1].at)
    period = expires_after(alert.action)
    since = messages[-1].at
    expires = since + period
    if expires <= now:
        periods = (now - since) // period
        since = since + periods * period
        expires = since + period
    return expires, since


def plain_text(text: str) -> str:
    """User text as CAP's plain text: no markup. `<` and `>` become the angle quotation marks ‹ ›, so that
    "<B12>" stays readable and no receiver sees an HTML tag (validators warn that a field "contains HTML
    tags"); other characters are escaped by the XML writer."""
    return text.replace("<", "\u2039").replace(">", "\u203a")


def atom_feed(alerts: list[Alert], *, feed_urn: str, self_url: str, cap_url: Any, now: dt.datetime,
              left_at: dt.datetime | None = None) -> tuple[bytes, dt.datetime]:
    """An Atom 1.0 feed with one entry per CAP message of each alert (newest first), the CAP inline, and
    the feed's `updated` (also its Last-Modified).

    Every message of an alert stays in the feed until it expires, the all clear and the cancel too, so a
    system following the feed sees the end. `updated` is the latest of the entries' and of `left_at`
    (when the latest alert left the feed), so it never goes back. `cap_url(alert, n)` gives the absolute
    address of message n of an alert.
    """
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _atom(feed, "id", feed_urn)
    _atom(feed, "title", "SchoolSafe: alerts (CAP 1.2)")
    entries: list[tuple[Alert, CapMessage, dt.datetime, dt.datetime]] = []
    for alert in alerts:
        messages = messages_for(alert)
        expires, since = expires_for(alert, messages, now)
        entries += [(alert, m, expires, max(m.at, since)) for m in messages]
    entries.sort(key=lambda e: (e[3], e[1].at, e[0].pk, e[1].n), reverse=True)
    candidates = [e[3] for e in entries] + ([left_at] if left_at is not None else [])
    latest = max(candidates) if candidates else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    _atom(feed, "updated", cap_time(latest, dt.UTC))
    author = _atom(feed, "author")
    _atom(author, "name", "SchoolSafe")
    _atom(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    for alert, message, expires, updated in entries:
        element = cap_element(alert, message, expires)
        entry = _atom(feed, "entry")
        _atom(entry, "id", message.identifier)
        info_headline = element.find(f"{{{CAP_NS}}}info/{{{CAP_NS}}}headline")
        _atom(entry, "title", info_headline.text if info_headline is not None else message.identifier)
        _atom(entry, "updated", cap_time(updated, dt.UTC))
        _atom(entry, "link", rel="alternate", href=cap_url(alert, message.n), type=CAP_MIME)
        content = _atom(entry, "content", type=CAP_MIME)
        content.append(element)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True), latest
