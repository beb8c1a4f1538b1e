"""The incident workspace API: room status (accounting for all persons), the message thread between
dispatch and the school, the timeline, the ICS 214 activity log and the CAP 1.2 messages and feed.

Every endpoint loads the alert through the access policy (alerts.policies): an alert the caller cannot see
is a 404, one they see but may not act on a 403.

What it reads is in incident_input.py, what it answers (for the OpenAPI document) in
incident_output.py.
"""

from typing import Any

from django.http import HttpResponse, JsonResponse
from ninja import Router
from ninja.errors import HttpError

from schoolsafe.accounts.http import ApiRequest
from schoolsafe.alerts import actions
from schoolsafe.alerts.api_input import (
    json_body,
    parse_json,
)
from schoolsafe.alerts.api_output import ERRORS
from schoolsafe.alerts.incident_input import (
    MessageIn,
    RoomReleaseIn,
    RoomStatusIn,
    ThreatLocationIn,
    check_room_status,
)
from schoolsafe.alerts.incident_output import (
    MessageOut,
    MessagesOut,
    RoomBoardOut,
    RoomReleaseOut,
    RoomStatusOut,
    ThreatLocationOut,
    TimelineOut,
)
from schoolsafe.alerts.models import Alert
from schoolsafe.alerts.policies import access_alert
from schoolsafe.alerts.rooms import room_board, room_status_json
from schoolsafe.alerts.serialize import iso, person
from schoolsafe.alerts.timeline import timeline_for

router = Router(tags=["alerts: incident"])


# --- room status ----------------------------------------------------------------------------------------


@router.post("/alerts/{alert_id}/room-status", response={201: RoomStatusOut, **ERRORS},
             openapi_extra=json_body(RoomStatusIn))
def report_room_status(request: ApiRequest, alert_id: int):
    """Report a room's state while the alert is active (the school's staff, admins, SRO). The latest report
    of a room replaces its state on the board; earlier ones stay in the timeline."""
    alert = access_alert(request.auth, alert_id, "room_status")
    report = parse_json(request, RoomStatusIn)
    check_room_status(report)
    saved = actions.do_report_room_status(
        request.auth, alert, room=report.room, status=report.status.value, present=report.present,
        staff=report.staff, visitors=report.visitors, injured=report.injured, missing=report.missing,
        extra=report.extra, note=report.note.strip(),
    )
    return JsonResponse(room_status_json(saved), status=201)


def may_read_names(user: Any, alert: Alert) -> bool:
    """Whether `user` may read students' names in this incident (the ICS 214 export's readers)."""
    return Alert.objects.restrict(user, "student_names").filter(pk=alert.pk).exists()


def audit_names_read(user: Any, alert: Alert, board: dict[str, Any], where: str) -> None:
    """Audit a read that showed students' names, as the ICS 214 export is (a read without names is not)."""
    from schoolsafe.audit.log import record_read

    shown = sum(len(r["missing"]) + len(r["extra"]) for r in board["rooms"])
    if shown:
        record_read(user, alert, summary={"read": "student_names", "where": where, "names": shown})


def board_for(user: Any, alert: Alert, where: str) -> dict[str, Any]:
    """The board as `user` may see it: with names (audited) or with counts only."""
    names = may_read_names(user, alert)
    board = room_board(alert, names=names)
    if names:
        audit_names_read(user, alert, board, where)
    return board


@router.get("/alerts/{alert_id}/room-status", response={200: RoomBoardOut, **ERRORS})
def room_status_board(request: ApiRequest, alert_id: int):
    """The status board: each room's latest report, the expected rooms not reported yet, the counts, and for
    a lockdown which rooms are released. Students' names only for those who run the response (audited)."""
    return board_for(request.auth, access_alert(request.auth, alert_id, "view"), "api.room_status")


# --- lockdown release, threat location --------------------------------------------------------------------


@router.post("/alerts/{alert_id}/room-release", response={201: RoomReleaseOut, **ERRORS},
             openapi_extra=json_body(RoomReleaseIn))
def release_room(request: ApiRequest, alert_id: int):
    """Release one room from a lockdown, in person (an officer or an administrator on site; SRP lockdown
    release). During the lockdown or after its all clear; 409 when already released or not a lockdown."""
    alert = access_alert(request.auth, alert_id, "release_room")
    given = parse_json(request, RoomReleaseIn)
    saved = actions.do_release_room(request.auth, alert, given.room, given.note.strip())
    from schoolsafe.alerts.rooms import room_release_json

    return JsonResponse(room_release_json(saved), status=201)


@router.post("/alerts/{alert_id}/threat-location", response={201: ThreatLocationOut, **ERRORS},
             openapi_extra=json_body(ThreatLocationIn))
def report_threat_location(request: ApiRequest, alert_id: int):
    """Report where the threat is ("shots heard near the gym") while the alert is active: it goes to police
    dispatch at top priority (event `alert.threat_location`) and through the notification channels."""
    alert = access_alert(request.auth, alert_id, "threat_location")
    given = parse_json(request, ThreatLocationIn)
    saved = actions.do_report_threat_location(request.auth, alert, given.location, given.note.strip())
    from schoolsafe.alerts.rooms import threat_location_json

    return JsonResponse(threat_location_json(saved), status=201)


# --- messages -------------------------------------------------------------------------------------------


def message_json(message: Any) -> dict[str, Any]:
    return {"id": message.pk, "author": person(message.author), "text": message.text, "at": iso(message.at)}


@router.get("/alerts/{alert_id}/messages", response={200: MessagesOut, **ERRORS})
def list_messages(request: ApiRequest, alert_id: int):
    """The thread between dispatch and the school, oldest first."""
    alert = access_alert(request.auth, alert_id, "message")
    items = [message_json(m) for m in alert.messages.select_related("author").order_by("at", "id")]
    return {"alert": alert.pk, "items": items}


@router.post("/alerts/{alert_id}/messages", response={201: MessageOut, **ERRORS}, openapi_extra=json_body(MessageIn))
def post_message(request: ApiRequest, alert_id: int):
    """Write to the thread (up to 2,000 characters) while the alert is active."""
    alert = access_alert(request.auth, alert_id, "message")
    message = parse_json(request, MessageIn)
    saved = actions.do_post_alert_message(request.auth, alert, message.text)
    return JsonResponse(message_json(saved), status=201)


# --- timeline -------------------------------------------------------------------------------------------


@router.get("/alerts/{alert_id}/timeline", response={200: TimelineOut, **ERRORS})
def timeline(request: ApiRequest, alert_id: int):
    """Everything that happened, oldest first: raised, delivered, acknowledged, escalated, room statuses,
    messages, all clear or cancel."""
    alert = access_alert(request.auth, alert_id, "view")
    names = may_read_names(request.auth, alert)
    if names and any(r.missing or r.extra for r in alert.room_statuses.only("missing", "extra")):
        from schoolsafe.audit.log import record_read

        record_read(request.auth, alert, summary={"read": "student_names", "where": "api.timeline"})
    return {"alert": alert.pk, "entries": [e.as_json() for e in timeline_for(alert, names=names)]}


# --- ICS 214 activity log -------------------------------------------------------------------------------


def _ics214(request: ApiRequest, alert_id: int, fmt: str) -> HttpResponse:
    from schoolsafe.alerts.ics214 import activity_log, as_csv, as_pdf
    from schoolsafe.audit.log import record_read

    alert = access_alert(request.auth, alert_id, "export")
    log = activity_log(alert, request.auth)
    # An export names students and staff: a sensitive read, on the audit log like opening a case.
    record_read(request.auth, alert, summary={"export": "ics214", "format": fmt, "entries": len(log.entries)})
    if fmt == "csv":
        response = HttpResponse(as_csv(log), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(as_pdf(log), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ics214-alert-{alert.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@router.get("/alerts/{alert_id}/ics214.csv", response={**ERRORS}, openapi_extra={
    "responses": {"200": {"description": "the ICS 214 activity log as CSV", "content": {"text/csv": {}}}}})
def ics214_csv(request: ApiRequest, alert_id: int):
    """The incident's ICS 214 activity log as CSV (incident name, operational period, resources, each
    entry's time and notable activity, prepared by the caller). Audited."""
    return _ics214(request, alert_id, "csv")


@router.get("/alerts/{alert_id}/ics214.pdf", response={**ERRORS}, openapi_extra={
    "responses": {"200": {"description": "the ICS 214 activity log as PDF", "content": {"application/pdf": {}}}}})
def ics214_pdf(request: ApiRequest, alert_id: int):
    """The incident's ICS 214 activity log as a PDF laid out like the form. Audited."""
    return _ics214(request, alert_id, "pdf")


# --- CAP 1.2 --------------------------------------------------------------------------------------------


@router.get("/alerts/{alert_id}/cap.xml", response={**ERRORS}, openapi_extra={
    "responses": {"200": {"description": "an OASIS CAP 1.2 message", "content": {"application/cap+xml": {}}}}})
def cap_message(request: ApiRequest, alert_id: int, n: int | None = None):
    """The alert as an OASIS CAP 1.2 message: the latest of its sequence (Alert, Update..., then the
    AllClear Update or the Cancel), or message `n` (from 1)."""
    from django.utils import timezone

    from schoolsafe.alerts.cap import CAP_MIME, cap_xml, expires_for, messages_for

    alert = access_alert(request.auth, alert_id, "view")
    messages = messages_for(alert)
    if n is None:
        message = messages[-1]
    elif 1 <= n <= len(messages):
        message = messages[n - 1]
    else:
        raise HttpError(404, f"n: alert {alert.pk} has CAP messages 1 to {len(messages)}")
    expires, _ = expires_for(alert, messages, timezone.now())
    response = HttpResponse(cap_xml(alert, message, expires), content_type=f"{CAP_MIME}; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@router.get("/cap/feed", response={**ERRORS}, openapi_extra={
    "responses": {"200": {"description": "an Atom 1.0 feed", "content": {"application/atom+xml": {}}},
                  "304": {"description": "not modified since the ETag (If-None-Match) or date (If-Modified-Since)"}}})
def cap_feed(request: ApiRequest):
    """An Atom 1.0 feed of the caller's alerts: one entry per CAP message, newest first, each with the
    CAP message inline and a link to its cap.xml. An alert stays until its messages expire (the all
    clear and the cancel too). ETag and Last-Modified; a conditional GET that matches gets a 304."""
    import hashlib

    from django.urls import reverse
    from django.utils import timezone
    from django.utils.cache import get_conditional_response
    from django.utils.http import http_date

    from schoolsafe.alerts.cap import atom_feed, feed_alerts, feed_id

    now = timezone.now()
    alerts, left_at = feed_alerts(Alert.objects.restrict(request.auth, "view"), now)

    def cap_url(alert: Alert, n: int) -> str:
        return request.build_absolute_uri(reverse("api:cap_message", kwargs={"alert_id": alert.pk})) + f"?n={n}"

    body, updated = atom_feed(alerts, feed_urn=feed_id(request.auth), self_url=request.build_absolute_uri(),
                              cap_url=cap_url, now=now, left_at=left_at)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    last_modified = int(updated.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # Per caller (private) and always revalidated (no-cache): a follower polls with If-None-Match.
    response["Cache-Control"] = "private, no-cache"
    return response
