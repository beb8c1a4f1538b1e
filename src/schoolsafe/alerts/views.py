"""Alert pages: the panic page, the incident page (staff view, timeline, thread), the live status board and
the dispatcher console.

The pages write nothing themselves: they are read through the access policy and their scripts call the
JSON API (raise, acknowledge, all clear, room status, messages) with the session's CSRF token, and listen
on the event stream. `state` answers the incident's whole picture as one JSON document, so a page that
hears an event re-reads one URL instead of five.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from schoolsafe.access.policy import memberships, reached_schools
from schoolsafe.accounts.http import AuthenticatedHttpRequest
from schoolsafe.alerts.actions import is_dispatch_for, school_agency_ids
from schoolsafe.alerts.audience import DISPATCH_ROLES
from schoolsafe.alerts.models import Acknowledgement, Action, Alert, Hazard, Status
from schoolsafe.alerts.policies import RAISE_ROLES, access_alert
from schoolsafe.alerts.rooms import room_board
from schoolsafe.alerts.serialize import alert_json, iso, person
from schoolsafe.alerts.timeline import location_words
from schoolsafe.alerts.wording import directive_of
from schoolsafe.core.models import School

# What staff do for each action, in the words of the SRP's teacher guidance (the directive is the headline).
WHAT_TO_DO: dict[str, list[str]] = {
    Action.HOLD: ["Clear the hallways; stay in your room or area.", "Close and lock the door.",
                  "Take roll and account for every student.", "Carry on teaching until the all clear."],
    Action.SECURE: ["Bring everyone inside the building.", "Lock the outside doors and windows.",
                    "Take roll and account for every student.", "Carry on teaching, stay alert, until the all clear."],
    Action.LOCKDOWN: ["Bring students in from the hallway.", "Lock the door; turn the lights off.",
                      "Move everyone out of sight and keep silent.", "Do not open the door for anyone.",
                      "Take roll and report your room below."],
    Action.EVACUATE: ["Lead your students to the evacuation location.", "Bring your roll sheet and go-bag.",
                      "Take roll at the location and report your room below.", "Wait there for instructions."],
    Action.SHELTER: ["Use the safety strategy for the hazard.", "Take roll and report your room below.",
                     "Stay sheltered until the all clear."],
}
ASSIST_WHAT_TO_DO = ["The office and the school resource officer have been called to the room.",
                     "Stay with your students; this is not a school-wide emergency."]
ACTIONS_ORDER = [Action.HOLD, Action.SECURE, Action.LOCKDOWN, Action.EVACUATE, Action.SHELTER]
ACTION_LOOK = {  # shape and colour classes, so the five are told apart without colour alone
    Action.HOLD: "hold", Action.SECURE: "secure", Action.LOCKDOWN: "lockdown", Action.EVACUATE: "evacuate",
    Action.SHELTER: "shelter",
}


def _may(user: Any, alert_id: int, *actions: str) -> dict[str, bool]:
    from schoolsafe.alerts.reads import may

    return may(user, alert_id, *actions)


def school_directives(school: Any) -> dict[str, str]:
    """The school's SRP wording for each action (plans' settings), or the model's defaults."""
    from schoolsafe.plans.reads import directives_for

    return directives_for(school)




# --- panic page -----------------------------------------------------------------------------------------


PANIC_SCHOOL_KEY = "schoolsafe_panic_school"


def _default_panic_school(request: HttpRequest, schools: list[Any]) -> Any:
    """The school the panic page opens on, so that its buttons show at once: the one the person chose last in
    this session (where they are today), else their own school (a membership in the school itself, as an SRO's
    post or a teacher's), else the only school they can raise for; None when it is a real choice."""
    by_pk = {s.pk: s for s in schools}
    last = request.session.get(PANIC_SCHOOL_KEY)
    if last in by_pk:
        return by_pk[last]
    own = {m.school_id for m in memberships(request.user) if m.school_id in by_pk and m.role in RAISE_ROLES}
    if len(own) == 1:
        return by_pk[own.pop()]
    return schools[0] if len(schools) == 1 else None


@login_required
@never_cache
def panic(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One large control per SRP action for the staff member's school, lockdown in two taps."""
    from schoolsafe.plans.reads import locations, protocol_for, shelter_strategies_for

    user = request.user
    schools = list(reached_schools(user, RAISE_ROLES).order_by("name"))
    chosen = None
    wanted = request.GET.get("school", "")
    if wanted.isdigit():
        chosen = next((s for s in schools if s.pk == int(wanted)), None)
    if chosen is not None and len(schools) > 1:
        request.session[PANIC_SCHOOL_KEY] = chosen.pk  # where they are today: the page opens there next time
    elif chosen is None and not wanted:
        chosen = _default_panic_school(request, schools)
    active = list(
        Alert.objects.restrict(user, "view").filter(status=Status.ACTIVE).select_related("school", "raised_by")[:20]
    )
    context: dict[str, Any] = {"schools": schools, "school": chosen, "active": active, "hazards": Hazard.choices}
    if chosen is not None:
        directives = school_directives(chosen)
        strategies = shelter_strategies_for(chosen)
        context.update({
            "buttons": [{"action": a.value, "label": a.label, "directive": directives[a.value], "look": ACTION_LOOK[a]}
                        for a in ACTIONS_ORDER],
            "evacuation_locations": locations(protocol_for(chosen).evacuation_locations),
            "panic_config": {
                "school": chosen.pk,
                "schoolName": chosen.name,
                "room": user.room,
                "directives": directives,
                "labels": {a.value: a.label for a in ACTIONS_ORDER},
                "strategies": strategies,
                "alertsUrl": reverse("api:raise_alert"),
                "incidentUrl": reverse("alerts:incident", args=[0]),
            },
        })
    return render(request, "alerts/panic.html", context)


# --- incident -------------------------------------------------------------------------------------------


def render_in_school_time(school: Any, request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The page with its times in the school's own time zone (with its abbreviation), whatever the server's
    or the browser's zone: one page, one zone (the page's scripts read the same zone from data-time-zone)."""
    try:
        zone = ZoneInfo(school.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_default_timezone()
    with timezone.override(zone):
        return render(request, template, context)


@login_required
@never_cache
def incident(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    """The incident page: directive, what to do, room status, acknowledgements, the all clear; for those who
    run the response also the map, contacts, delivery report, timeline, thread and exports."""
    alert = access_alert(request.user, alert_id)
    may = _may(request.user, alert.pk, "acknowledge", "all_clear", "cancel", "room_status", "message", "delivery",
               "export", "release_room", "threat_location")
    return render_in_school_time(alert.school, request, "alerts/incident.html", {
        "alert": alert,
        "where": location_words(alert),
        "directive": directive_of(alert),
        "what_to_do": ASSIST_WHAT_TO_DO if alert.tier == "assist" else WHAT_TO_DO.get(alert.action, []),
        "may": may,
        "room": request.user.room,
        "room_states": [("ok", "All accounted for"), ("need_help", "Need help"), ("injured", "Injured"),
                        ("missing", "Missing students"), ("extra", "Extra students")],
        "incident_config": {"alert": alert.pk, "stateUrl": reverse("alerts:state", args=[alert.pk]),
                            "apiUrl": reverse("api:get_alert", args=[alert.pk]), "may": may, "user": request.user.pk},
    })


@login_required
@never_cache
def board(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    """The live status board of one incident: rooms reported and rooms not yet reported."""
    alert = access_alert(request.user, alert_id)
    return render_in_school_time(alert.school, request, "alerts/board.html", {
        "alert": alert,
        "directive": directive_of(alert),
        "incident_config": {"alert": alert.pk, "stateUrl": reverse("alerts:state", args=[alert.pk]),
                            "apiUrl": reverse("api:get_alert", args=[alert.pk]), "may": {}, "user": request.user.pk},
    })


def school_contacts(school: School) -> dict[str, Any]:
    """The school's phone, its administrators and the officers assigned to it (SROs) with their phones,
    and the rest of its 24/7 contacts. One source of numbers: a person on the school's 24/7 contact list
    (plans, the responder packet's) has that number here too; their account's phone only otherwise."""
    from schoolsafe.accounts.models import User

    try:
        from schoolsafe.plans.reads import contact_list, phones_of
    except ImportError:  # the plans app is optional; the accounts' phones then
        listed, phones = [], {}
    else:
        listed, phones = contact_list(school), phones_of(school)

    shown: set[int] = set()

    def people(role: str) -> list[dict[str, Any]]:
        users = User.objects.filter(is_active=True, memberships__school=school, memberships__role=role).distinct()
        shown.update(u.pk for u in users)
        return [{"name": u.display_name, "title": u.title, "phone": phones.get(u.pk, (u.phone, ""))[0],
                 "alternate_phone": phones.get(u.pk, ("", ""))[1]}
                for u in users.order_by("full_name", "username")]

    admins, sros = people("school_admin"), people("officer")
    others = [{"name": c["name"], "role": c["role"], "phone": c["phone"], "alternate_phone": c["alternate_phone"]}
              for c in listed if c["person"] not in shown]
    return {"phone": school.phone, "admins": admins, "sros": sros, "others": others}


def map_data(school: School) -> dict[str, Any]:
    """The school's location and its site features (plans' site map) for a map without tiles."""
    from schoolsafe.plans.reads import features_for

    features = list(features_for(school)["features"])
    if school.latitude is not None and school.longitude is not None:
        features.insert(0, {"type": "Feature", "properties": {"name": school.name, "kind": "school",
                                                                "kind_label": "School", "label": school.name},
                            "geometry": {"type": "Point", "coordinates": [school.longitude, school.latitude]}})
    return {
        "center": [school.latitude, school.longitude] if school.latitude is not None else None,
        "features": features,
        "tiles": settings.SCHOOLSAFE_TILE_URL,
        "attribution": settings.SCHOOLSAFE_TILE_ATTRIBUTION,
    }


@login_required
@never_cache
def state(request: AuthenticatedHttpRequest, alert_id: int) -> JsonResponse:
    """The incident as the pages show it: the alert, acknowledgements (by dispatch or not), the room board,
    and, by permission, the thread, timeline, delivery report, contacts and map."""
    from schoolsafe.alerts.actions import all_clear_requirement
    from schoolsafe.alerts.incident_api import audit_names_read
    from schoolsafe.alerts.rooms import threat_location_json
    from schoolsafe.alerts.timeline import timeline_for

    alert = access_alert(request.user, alert_id)
    user = request.user
    may = _may(user, alert.pk, "acknowledge", "all_clear", "cancel", "room_status", "message", "delivery", "export",
               "student_names", "release_room", "threat_location")
    # Students' names only for those who run the response, each read that shows them audited (as ICS 214).
    board = room_board(alert, names=may["student_names"])
    if may["student_names"]:
        audit_names_read(user, alert, board, "page.state")
    agency_ids = school_agency_ids(alert.school_id)
    acks: list[dict[str, Any]] = []
    for ack in alert.acknowledgements.select_related("user").prefetch_related("user__memberships"):
        acks.append({"user": person(ack.user), "at": iso(ack.at), "by_dispatch": is_dispatch_for(ack.user, agency_ids)})
    body: dict[str, Any] = {
        "alert": {**alert_json(alert), "directive_text": directive_of(alert)},
        "acknowledgements": acks,
        "acknowledged_by_me": any(a["user"]["id"] == user.pk for a in acks),
        "board": board,
        "threat_locations": [threat_location_json(t) for t in
                             alert.threat_locations.select_related("reported_by").order_by("-reported_at", "-id")],
        "timeline": [e.as_json() for e in timeline_for(alert, names=may["student_names"])],
        "may": may,
        # SRP lockdown release: what this person must record with the all clear (officer, incident commander).
        "all_clear_needs": all_clear_requirement(user, alert) if may["all_clear"] and alert.status == Status.ACTIVE
        else "",
        "links": {"incident": f"/alerts/{alert.pk}/", "board": f"/alerts/{alert.pk}/board/"},
    }
    if may["message"]:
        body["messages"] = [{"id": m.pk, "author": person(m.author), "text": m.text, "at": iso(m.at)}
                            for m in alert.messages.select_related("author").order_by("at", "id")]
    if may["delivery"]:
        from schoolsafe.alerts.delivery import delivery_report

        body["delivery"] = delivery_report(alert)
        body["contacts"] = school_contacts(alert.school)
        body["map"] = map_data(alert.school)
        body["school"] = {"name": alert.school.name, "address": ", ".join(
            p for p in (alert.school.address, alert.school.city, alert.school.state) if p), "phone": alert.school.phone}
    if may["export"]:
        base = f"/api/v1/alerts/{alert.pk}"
        body["links"].update({"ics214_csv": f"{base}/ics214.csv", "ics214_pdf": f"{base}/ics214.pdf",
                              "cap": f"{base}/cap.xml"})
    return JsonResponse(body)


# --- dispatcher console ---------------------------------------------------------------------------------


# The console's tone repeats this often while an alert waits for dispatch to acknowledge it.
CONSOLE_TONE_REPEAT_SECONDS = 10


def dispatch_acknowledged(school_of: dict[int, int]) -> set[int]:
    """Of these alerts ({alert id: school id}), those acknowledged by dispatch of an agency serving the school."""
    if not school_of:
        return set()
    serving = set(School.agencies.through.objects.filter(school_id__in=set(school_of.values())).values_list(
        "school_id", "agency_id"))
    acks = Acknowledgement.objects.filter(alert_id__in=list(school_of), user__memberships__role__in=DISPATCH_ROLES
                                          ).values_list("alert_id", "user__memberships__agency_id")
    return {alert_id for alert_id, agency_id in acks if (school_of[alert_id], agency_id) in serving}


@login_required
@never_cache
def console(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The dispatcher console: the active incidents across the agency's schools, live, with sound."""
    active = list(
        Alert.objects.restrict(request.user, "view").filter(status=Status.ACTIVE)
        .select_related("school", "raised_by").order_by("-raised_at", "-id")[:100]
    )
    # Which of them dispatch has acknowledged: the console's tone repeats for the others.
    acked = dispatch_acknowledged({a.pk: a.school_id for a in active})
    return render(request, "alerts/console.html", {
        "active": active,
        "console_config": {"alerts": [{**alert_json(a), "dispatchAcked": a.pk in acked} for a in active],
                           "stateUrl": reverse("alerts:state", args=[0]),
                           "incidentUrl": reverse("alerts:incident", args=[0]), "apiUrl": reverse("api:get_alert", args=[0]),
                           "activeUrl": reverse("api:list_alerts") + "?status=active&page_size=200",
                           "dispatchTipsUrl": reverse("api:dispatch_tips"),
                           "dispatchTipAckUrl": reverse("api:acknowledge_dispatch_tip", args=[0]),
                           "toneRepeatSeconds": CONSOLE_TONE_REPEAT_SECONDS},
    })


HISTORY_FILTERS = ("all", "active", "ended")


@login_required
@never_cache
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every alert the user may see, newest first (50 a page): for the after-action review, and to find
    an incident again once it has ended."""
    show = request.GET.get("show", "all")
    if show not in HISTORY_FILTERS:
        show = "all"
    alerts = (Alert.objects.restrict(request.user, "view").select_related("school", "raised_by")
              .order_by("-raised_at", "-id"))
    if show == "active":
        alerts = alerts.filter(status=Status.ACTIVE)
    elif show == "ended":
        alerts = alerts.exclude(status=Status.ACTIVE)
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    return render(request, "alerts/history.html", {"page": page, "show": show})
