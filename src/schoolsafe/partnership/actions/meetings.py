"""Writes: joint meetings (scheduled, changed, cancelled, minutes recorded) and their action items.

Each action checks its input before it writes anything: a refusal names the field at fault and leaves the
database as it was. A meeting scheduled, changed or cancelled mails each attendee its iCalendar invitation
(partnership/ical.py) through the worker's mail queue, after the commit.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from schoolsafe.access.loaders import may_do
from schoolsafe.access.orgkey import OrgKey
from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError
from schoolsafe.core.models import School
from schoolsafe.events.emit import emit_event
from schoolsafe.notifications.mail import attempt_mail, queue_mail
from schoolsafe.partnership.ical import MIMETYPE, calendar_filename, meeting_calendar
from schoolsafe.partnership.models import ActionItem, JointMeeting
from schoolsafe.partnership.policies import leads_either_side, leads_organization

__all__ = [
    "ActionItemError",
    "MeetingError",
    "do_cancel_meeting",
    "do_complete_action_item",
    "do_create_action_item",
    "do_record_minutes",
    "do_schedule_meeting",
    "do_send_action_item_reminders",
    "do_update_action_item",
    "do_update_meeting",
    "meeting_sides",
]

logger = logging.getLogger(__name__)

DEFAULT_REMINDER_DAYS = 3


class MeetingError(ActionError):
    """A joint meeting that cannot be scheduled, changed or recorded as asked."""


class ActionItemError(ActionError):
    """An action item that cannot be created or changed as asked."""


# --- meetings ---------------------------------------------------------------------------------------------


def _org(meeting: JointMeeting) -> OrgKey:
    return OrgKey.of(meeting.school) if meeting.school_id else OrgKey.of(meeting.district)


def meeting_sides(agency: Any, district: Any) -> tuple[set[int], set[int]]:
    """The user ids of each side: the agency's members, and the members of the district or one of its schools."""
    from schoolsafe.accounts.models import Membership

    police = set(Membership.objects.filter(agency=agency).values_list("user_id", flat=True))
    schools = set(Membership.objects.filter(Q(district=district) | Q(school__district=district))
                  .values_list("user_id", flat=True))
    return police, schools


def _check_meeting(*, kind: str, agency: Any, district: Any, school: Any, title: str, starts_at: Any,
                   ends_at: Any, attendees: list[Any], scheduled: bool) -> None:
    if kind not in JointMeeting.Kind.values:
        raise MeetingError(f"unknown kind {kind!r}; one of {', '.join(JointMeeting.Kind.values)}", field="kind")
    if agency is None:
        raise MeetingError("no such agency", field="agency")
    if district is None:
        raise MeetingError("no such district", field="district")
    # The partnership is between an agency and the district whose schools it serves.
    if not School.objects.filter(district=district, agencies=agency).exists():
        raise MeetingError(f"{agency.name} serves none of the schools of {district.name}", field="agency")
    if school is not None:
        if school.district_id != district.pk:
            raise MeetingError(f"{school.name} is not a school of {district.name}", field="school")
        if not school.agencies.filter(pk=agency.pk).exists():
            raise MeetingError(f"{agency.name} does not serve {school.name}", field="school")
    if not (title or "").strip():
        raise MeetingError("a meeting needs a title", field="title")
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, dt.datetime):
            raise MeetingError("a date and time is needed", field=name)
        if timezone.is_naive(value):
            raise MeetingError("the time needs a time zone (an offset such as -05:00 or Z)", field=name)
    if ends_at <= starts_at:
        raise MeetingError("the meeting must end after it starts", field="ends_at")
    police, schools = meeting_sides(agency, district)
    strangers = [u for u in attendees if u.pk not in police and u.pk not in schools]
    if strangers:
        names = ", ".join(sorted(getattr(u, "display_name", u.username) for u in strangers))
        raise MeetingError(f"not a member of {agency.name} or of {district.name} and its schools: {names}",
                           field="attendees")
    # A joint meeting with one side absent is not a joint meeting: each side sends someone who can answer
    # for it, so that what is decided binds both.
    if scheduled:
        ids = {u.pk for u in attendees}
        if not ids & police:
            raise MeetingError(f"invite at least one person of {agency.name}", field="attendees")
        if not ids & schools:
            raise MeetingError(f"invite at least one person of {district.name} or its schools", field="attendees")


def _invitation_body(meeting: JointMeeting, cancelled: bool) -> str:
    when = timezone.localtime(meeting.starts_at)
    lines = [
        f"{meeting.get_kind_display()}: {meeting.title}",
        f"When: {when:%A %B %d, %Y, %H:%M} to {timezone.localtime(meeting.ends_at):%H:%M} ({when:%Z})",
        f"Where: {meeting.location or 'to be announced'}",
        f"Between: {meeting.agency.name} and {meeting.district.name}"
        + (f" ({meeting.school.name})" if meeting.school is not None else ""),
        "",
    ]
    if cancelled:
        lines.append("This meeting is cancelled. The attached calendar file removes it from your calendar.")
    else:
        lines += ["Agenda:", meeting.agenda.strip() or "No agenda yet.", "",
                  "The attached calendar file adds the meeting to your calendar (or updates it)."]
    return "\n".join(lines) + "\n"


def _mail_invitations(meeting: JointMeeting, users: Iterable[Any], method: str) -> None:
    """Queue one mail per person with the iTIP message attached, sent after the commit."""
    cancelled = method == "CANCEL"
    users = [u for u in users if u.email]
    ics = meeting_calendar(meeting, method=method, attendees=list(meeting.attendees.all()) if not cancelled else users)
    verb = "Cancelled" if cancelled else ("Updated" if meeting.sequence else "Invitation")
    subject = f"{verb}: {meeting.title} ({timezone.localtime(meeting.starts_at):%b %d, %Y})"
    body = _invitation_body(meeting, cancelled)
    mimetype = f"{MIMETYPE}; method={method}"
    for user in users:
        mail = queue_mail("partnership.meeting_invitation", subject, body, [user.email],
                          attachments=[(calendar_filename(meeting), ics, mimetype)])
        transaction.on_commit(functools.partial(attempt_mail, mail.pk))


def _emit_meeting(kind: str, meeting: JointMeeting, actor: Any) -> None:
    audience = [f"user:{pk}" for pk in meeting.attendees.values_list("pk", flat=True)]
    audience += [f"agency:{meeting.agency_id}:agency_admin", f"district:{meeting.district_id}:district_director"]
    emit_event(kind, {"meeting_id": meeting.pk, "title": meeting.title, "starts_at": meeting.starts_at.isoformat(),
                      "status": meeting.status, "sequence": meeting.sequence}, audience,
               school=meeting.school_id, subject=meeting, context={"actor": actor})


def _check_leads(actor: Any, agency: Any, district: Any, school: Any) -> None:
    if not leads_either_side(actor, agency, district, school):
        raise MeetingError("only the leads of the agency, the district or the school arrange its meetings",
                           status=403)


def _require_change(actor: Any, meeting: JointMeeting) -> None:
    if not may_do(meeting, actor, "change"):
        raise MeetingError("only the leads of the partnership change its meetings", status=403)


def do_schedule_meeting(actor: Any, *, kind: str, agency: Any, district: Any, title: str, starts_at: Any,
                        ends_at: Any, attendees: list[Any], school: Any = None, location: str = "",
                        agenda: str = "") -> JointMeeting:
    """Schedule a joint meeting and mail each attendee the invitation."""
    _check_meeting(kind=kind, agency=agency, district=district, school=school, title=title, starts_at=starts_at,
                   ends_at=ends_at, attendees=attendees, scheduled=True)
    _check_leads(actor, agency, district, school)
    with transaction.atomic():
        meeting = JointMeeting.objects.create(
            kind=kind, agency=agency, district=district, school=school, title=title.strip(), starts_at=starts_at,
            ends_at=ends_at, location=location.strip(), agenda=agenda.strip(), organizer=actor,
            status=JointMeeting.Status.SCHEDULED)
        meeting.attendees.set(attendees)
        record(actor, "partnership.schedule_meeting", meeting, organization=_org(meeting),
               summary={"kind": kind, "agency": agency.pk, "district": district.pk, "school": meeting.school_id,
                        "starts_at": starts_at.isoformat(), "attendees": sorted(u.pk for u in attendees)})
        _emit_meeting("partnership.meeting_scheduled", meeting, actor)
        _mail_invitations(meeting, attendees, "REQUEST")
    return meeting


MEETING_FIELDS = ("kind", "title", "starts_at", "ends_at", "location", "agenda", "school")


def do_update_meeting(actor: Any, meeting: JointMeeting, *, attendees: list[Any] | None = None,
                      **changes: Any) -> JointMeeting:
    """Change a scheduled meeting (time, place, agenda, title, kind, school, attendees): SEQUENCE goes up, the
    attendees get the updated invitation and anyone taken off the list a cancellation (RFC 5546 3.2.5)."""
    _require_change(actor, meeting)
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise MeetingError("cannot be changed here", field=sorted(unknown)[0])
    if meeting.status != JointMeeting.Status.SCHEDULED:
        raise MeetingError(f"the meeting is {meeting.get_status_display().lower()}; only a scheduled meeting "
                           "changes", field="status", status=409)
    values = {name: getattr(meeting, name) for name in MEETING_FIELDS} | changes
    before = list(meeting.attendees.all())
    after = before if attendees is None else list(attendees)
    _check_meeting(agency=meeting.agency, district=meeting.district, attendees=after, scheduled=True,
                   **{k: v for k, v in values.items() if k not in ("location", "agenda")})
    changed = sorted(name for name in MEETING_FIELDS if values[name] != getattr(meeting, name))
    removed = [u for u in before if u.pk not in {a.pk for a in after}]
    added = [u for u in after if u.pk not in {b.pk for b in before}]
    if not changed and not removed and not added:
        return meeting
    with transaction.atomic():
        locked = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
        for name in changed:
            value = values[name]
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.sequence = F("sequence") + 1
        locked.updated_at = timezone.now()
        locked.save()
        locked.refresh_from_db()
        if attendees is not None:
            locked.attendees.set(after)
        record(actor, "partnership.update_meeting", locked, organization=_org(locked),
               summary={"changed": changed, "added": sorted(u.pk for u in added),
                        "removed": sorted(u.pk for u in removed), "sequence": locked.sequence})
        _emit_meeting("partnership.meeting_changed", locked, actor)
        _mail_invitations(locked, after, "REQUEST")
        if removed:
            _mail_invitations(locked, removed, "CANCEL")
    return locked


def do_cancel_meeting(actor: Any, meeting: JointMeeting, *, reason: str = "") -> JointMeeting:
    """Cancel a scheduled meeting: each attendee gets METHOD:CANCEL with STATUS:CANCELLED."""
    _require_change(actor, meeting)
    if meeting.status != JointMeeting.Status.SCHEDULED:
        raise MeetingError(f"the meeting is already {meeting.get_status_display().lower()}", field="status",
                           status=409)
    with transaction.atomic():
        changed = JointMeeting.objects.filter(pk=meeting.pk, status=JointMeeting.Status.SCHEDULED).update(
            status=JointMeeting.Status.CANCELLED, sequence=F("sequence") + 1, updated_at=timezone.now())
        if not changed:
            raise MeetingError("the meeting was changed meanwhile; reload it", field="status", status=409)
        meeting.refresh_from_db()
        record(actor, "partnership.cancel_meeting", meeting, organization=_org(meeting),
               summary={"reason": reason.strip()[:500], "sequence": meeting.sequence})
        _emit_meeting("partnership.meeting_cancelled", meeting, actor)
        _mail_invitations(meeting, meeting.attendees.all(), "CANCEL")
    return meeting


def do_record_minutes(actor: Any, meeting: JointMeeting, *, minutes: str, decisions: list[str]) -> JointMeeting:
    """Record what was said and decided; the meeting is then held (the invitation is not mailed again)."""
    _require_change(actor, meeting)
    if meeting.status == JointMeeting.Status.CANCELLED:
        raise MeetingError("the meeting was cancelled", field="status", status=409)
    if meeting.starts_at > timezone.now():
        raise MeetingError("the meeting has not started yet", field="minutes", status=409)
    if not (minutes or "").strip():
        raise MeetingError("write the minutes", field="minutes")
    if not isinstance(decisions, list) or not all(isinstance(d, str) for d in decisions):
        raise MeetingError("a list of decisions, each a text", field="decisions")
    decisions = [d.strip() for d in decisions if d.strip()]
    with transaction.atomic():
        meeting.minutes = minutes.strip()
        meeting.decisions = decisions
        meeting.status = JointMeeting.Status.HELD
        meeting.updated_at = timezone.now()
        meeting.save(update_fields=["minutes", "decisions", "status", "updated_at"])
        record(actor, "partnership.record_minutes", meeting, organization=_org(meeting),
               summary={"decisions": len(decisions), "minutes_chars": len(meeting.minutes)})
    return meeting


# --- action items -----------------------------------------------------------------------------------------


def _org_fields(organization: Any) -> dict[str, Any]:
    kind = getattr(getattr(organization, "_meta", None), "model_name", "")
    if kind not in ("agency", "district", "school"):
        raise ActionItemError("an agency, a district or a school", field="organization")
    return {"agency": None, "district": None, "school": None, kind: organization}


def _holds_membership(user: Any, organization: Any) -> bool:
    from schoolsafe.accounts.models import Membership

    kind = organization._meta.model_name
    q = Q(**{kind: organization})
    if kind == "district":
        q |= Q(school__district=organization)
    return Membership.objects.filter(q, user=user).exists()


def _check_evidence(evidence: str, evidence_url: str) -> None:
    # Done means shown to be done: the next meeting, an auditor or a grant report must be able to see what
    # was delivered (the MOU or policy signed, the drill held, the training roster), not take it on trust.
    if not (evidence or "").strip() and not (evidence_url or "").strip():
        raise ActionItemError("say or link what shows it was done", field="evidence", status=422)
    if evidence_url and not evidence_url.startswith(("https://", "http://")):
        raise ActionItemError("a link starting with https://", field="evidence_url")


def _item_summary(item: ActionItem) -> dict[str, Any]:
    return {"title": item.title, "owner": item.owner_id, "organization": item.organization_key,
            "due_on": item.due_on.isoformat(), "status": item.status, "meeting": item.meeting_id}


def do_create_action_item(actor: Any, *, title: str, owner: Any, organization: Any, due_on: Any,
                          meeting: JointMeeting | None = None) -> ActionItem:
    """A follow-up for `owner` on behalf of `organization`, due on `due_on` (from `meeting`, when given)."""
    if not (title or "").strip():
        raise ActionItemError("an action item needs a title", field="title")
    if owner is None:
        raise ActionItemError("no such person", field="owner")
    fields = _org_fields(organization)
    if not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime):
        raise ActionItemError("a date (YYYY-MM-DD)", field="due_on")
    if meeting is not None:
        sides = (fields["agency"] == meeting.agency or fields["district"] == meeting.district
                 or (fields["school"] is not None and fields["school"].district_id == meeting.district_id))
        if not sides:
            raise ActionItemError("the organization must be one of the meeting's sides", field="organization")
    if not _holds_membership(owner, organization):
        raise ActionItemError(f"{owner.display_name} holds no role in {organization.name}", field="owner")
    if meeting is not None and not may_do(meeting, actor, "change"):
        raise ActionItemError("only the leads of the meeting give it action items", status=403)
    if meeting is None and not leads_organization(actor, organization):
        raise ActionItemError(f"only the leads of {organization.name} give it action items", status=403)
    with transaction.atomic():
        item = ActionItem.objects.create(meeting=meeting, title=title.strip(), owner=owner, due_on=due_on, **fields)
        record(actor, "partnership.create_action_item", item, organization=item.organization_key,
               summary=_item_summary(item))
    return item


OWNER_FIELDS = frozenset({"status", "evidence", "evidence_url"})
LEAD_FIELDS = OWNER_FIELDS | {"title", "due_on", "owner"}


def do_update_action_item(actor: Any, item: ActionItem, **changes: Any) -> ActionItem:
    """Change an item: its leads change anything, its owner only its status and evidence (the policy's
    "change" and "update"). Marking it done needs evidence."""
    from schoolsafe.partnership.models import ActionItem as Item

    may_change = may_do(item, actor, "change")
    if not may_change and not may_do(item, actor, "update"):
        raise ActionItemError("only the item's leads and its owner update it", status=403)
    allowed = LEAD_FIELDS if may_change else OWNER_FIELDS
    for name in sorted(changes):
        if name not in LEAD_FIELDS:
            raise ActionItemError("cannot be changed here", field=name)
        if name not in allowed:
            raise ActionItemError("only the leads change this; the owner updates status and evidence", field=name,
                                  status=403)
    status = changes.get("status", item.status)
    if status not in Item.Status.values:
        raise ActionItemError(f"one of {', '.join(Item.Status.values)}", field="status")
    if "title" in changes and not (changes["title"] or "").strip():
        raise ActionItemError("an action item needs a title", field="title")
    if "due_on" in changes and (not isinstance(changes["due_on"], dt.date) or isinstance(changes["due_on"], dt.datetime)):
        raise ActionItemError("a date (YYYY-MM-DD)", field="due_on")
    if "owner" in changes:
        owner = changes["owner"]
        if owner is None:
            raise ActionItemError("no such person", field="owner")
        if not _holds_membership(owner, item.organization):
            organization = item.organization
            assert organization is not None  # the constraint: every item has one
            raise ActionItemError(f"{owner.display_name} holds no role in {organization.name}", field="owner")
    evidence = changes.get("evidence", item.evidence) or ""
    evidence_url = changes.get("evidence_url", item.evidence_url) or ""
    if status == Item.Status.DONE or evidence_url:
        _check_evidence(evidence, evidence_url)
    with transaction.atomic():
        before = _item_summary(item)
        for name, value in changes.items():
            setattr(item, name, value.strip() if isinstance(value, str) else value)
        if status == Item.Status.DONE and item.completed_at is None:
            item.completed_at = timezone.now()
        elif status != Item.Status.DONE:
            item.completed_at = None
        item.updated_at = timezone.now()
        item.save()
        after = _item_summary(item)
        diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if "evidence" in changes or "evidence_url" in changes:
            diff["evidence"] = [bool(item.evidence), bool(item.evidence_url)]
        record(actor, "partnership.update_action_item", item, organization=item.organization_key,
               summary={"changed": diff})
    return item


def do_complete_action_item(actor: Any, item: ActionItem, *, evidence: str = "", evidence_url: str = "") -> ActionItem:
    """Mark an item done, with the evidence that it is (text, a link, or both)."""
    if item.status == ActionItem.Status.DONE:
        raise ActionItemError("the action item is already done", field="status", status=409)
    _check_evidence(evidence, evidence_url)
    return do_update_action_item(actor, item, status=ActionItem.Status.DONE,
                                 evidence=evidence, evidence_url=evidence_url)


# --- reminders --------------------------------------------------------------------------------------------


def reminder_days() -> int:
    return int(getattr(settings, "SCHOOLSAFE_ACTION_ITEM_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


STAGES = {
    "due_soon": ("due_soon_reminded_for", "partnership.action_item_due_soon"),
    "overdue": ("overdue_reminded_for", "partnership.action_item_overdue"),
}


def _claim(item_id: int, due_on: dt.date, column: str) -> bool:
    """Take the reminder of one stage for this due date: one conditional UPDATE, so that of two workers
    scanning at once exactly one sends it."""
    not_yet = Q(**{f"{column}__isnull": True}) | Q(**{f"{column}__lt": due_on}) | Q(**{f"{column}__gt": due_on})
    return bool(ActionItem.objects.filter(not_yet, pk=item_id, due_on=due_on,
                                          status__in=ActionItem.OPEN_STATUSES).update(**{column: due_on}))


def _reminder_mail(item: ActionItem, stage: str, today: dt.date) -> tuple[str, str]:
    org = item.organization.name if item.organization else ""
    if stage == "overdue":
        days = (today - item.due_on).days
        subject = f"Overdue action item: {item.title}"
        ago = f"{days} day{'s' * (days != 1)} ago"
        lead = f"This action item, which you own for {org}, was due on {item.due_on:%B %d, %Y} ({ago})."
    else:
        subject = f"Action item due {item.due_on:%b %d}: {item.title}"
        lead = f"This action item, which you own for {org}, is due on {item.due_on:%B %d, %Y}."
    meeting = f"\nIt was set at: {item.meeting.title}." if item.meeting is not None else ""
    body = (f"{lead}{meeting}\n\n{item.title}\n\nIn SchoolSafe (Partnership meetings, Action items) mark it done "
            f"with the evidence that it is, or update its status.\n")
    return subject, body


def do_send_action_item_reminders(today: dt.date | None = None, limit: int = 200) -> int:
    """Remind owners of the open items due within `reminder_days()` and of those overdue, once per item per
    stage (and due date). Returns how many reminders this call sent."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=reminder_days())
    candidates = {
        "overdue": Q(due_on__lt=today) & ~Q(overdue_reminded_for=F("due_on"), overdue_reminded_for__isnull=False),
        "due_soon": (Q(due_on__gte=today, due_on__lte=soon)
                     & ~Q(due_soon_reminded_for=F("due_on"), due_soon_reminded_for__isnull=False)),
    }
    sent = 0
    for stage, q in candidates.items():
        column, kind = STAGES[stage]
        due = list(ActionItem.objects.filter(q, status__in=ActionItem.OPEN_STATUSES).order_by("due_on", "pk")
                   .values_list("pk", "due_on")[:limit])
        for item_id, due_on in due:
            try:
                with transaction.atomic():
                    if not _claim(item_id, due_on, column):
                        continue
                    item = ActionItem.objects.select_related("owner", "meeting", "agency", "district", "school").get(
                        pk=item_id)
                    _remind(item, stage, kind, today)
                sent += 1
            except Exception:
                # One item that cannot be reminded (its transaction rolled back, the claim with it) must not
                # stop the others; the next scan tries it again.
                logger.exception("action item %s: the %s reminder failed; will retry", item_id, stage)
    return sent


def _remind(item: ActionItem, stage: str, kind: str, today: dt.date) -> None:
    data = {"action_item_id": item.pk, "title": item.title, "due_on": item.due_on.isoformat(), "stage": stage,
            "organization": item.organization_key, "meeting_id": item.meeting_id}
    emit_event(kind, data, [f"user:{item.owner_id}"], school=item.school_id, subject=item,
               context={"actor": "schoolsafe worker", "organizations": [item.organization_key], "item": item})
    if item.owner.email:
        subject, body = _reminder_mail(item, stage, today)
        mail = queue_mail(f"partnership.action_item_{stage}", subject, body, [item.owner.email])
        transaction.on_commit(functools.partial(attempt_mail, mail.pk))
    record("schoolsafe worker", f"partnership.remind_action_item_{stage}", item, organization=item.organization_key,
           summary={"stage": stage, "due_on": item.due_on.isoformat(), "owner": item.owner_id})

