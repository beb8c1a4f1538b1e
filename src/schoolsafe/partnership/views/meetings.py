"""Pages: joint meetings (list, schedule, change, cancel, minutes, the .ics) and action items (per meeting, the
overdue list, one item with its history). The forms parse; the actions check and write; a refusal is shown
beside the field it names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from schoolsafe.access.loaders import may_do
from schoolsafe.access.policy import may, memberships
from schoolsafe.accounts.http import AuthenticatedHttpRequest
from schoolsafe.accounts.models import Membership, User
from schoolsafe.audit.models import AuditEntry
from schoolsafe.core.errors import ActionError
from schoolsafe.core.models import Agency, District, School
from schoolsafe.partnership import actions
from schoolsafe.partnership.ical import MIMETYPE, calendar_filename, meeting_calendar
from schoolsafe.partnership.models import ActionItem, JointMeeting
from schoolsafe.partnership.policies import PARTNERSHIP_LEADS, access_action_item, access_meeting

# --- forms ------------------------------------------------------------------------------------------------


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}{f' ({obj.title})' if obj.title else ''}"


def _reach(user: Any) -> tuple[Any, Any, Any]:
    """The agencies, districts and schools a lead may arrange meetings between (their own side and the other
    side of each partnership it has)."""
    agency_ids, district_ids, school_ids = set(), set(), set()
    for m in memberships(user):
        if m.role not in PARTNERSHIP_LEADS:
            continue
        if m.agency_id:
            agency_ids.add(m.agency_id)
        elif m.district_id:
            district_ids.add(m.district_id)
        elif m.school_id:
            school_ids.add(m.school_id)
    schools = School.objects.filter(Q(agencies__in=agency_ids) | Q(district_id__in=district_ids)
                                    | Q(pk__in=school_ids)).distinct()
    agencies = Agency.objects.filter(Q(pk__in=agency_ids) | Q(schools__in=schools)).distinct().order_by("name")
    districts = District.objects.filter(pk__in=schools.values("district_id")).order_by("name")
    return agencies, districts, schools.order_by("name")


def _people_for(agencies: Any, districts: Any) -> Any:
    members = Membership.objects.filter(Q(agency__in=agencies) | Q(district__in=districts)
                                        | Q(school__district__in=districts))
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by("full_name", "username")


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # declared so in the form
    return field


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(choices=JointMeeting.Kind.choices)
    title = forms.CharField(max_length=200)
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), help_text="The police side")
    district = forms.ModelChoiceField(queryset=District.objects.none(), help_text="The school side")
    school = forms.ModelChoiceField(queryset=School.objects.none(), required=False,
                                    help_text="When the meeting is about one school")
    starts_at = forms.DateTimeField(label="Starts", widget=DateTimeLocal(), input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label="Ends", widget=DateTimeLocal(), input_formats=["%Y-%m-%dT%H:%M"])
    location = forms.CharField(max_length=300, required=False)
    agenda = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000)
    attendees = PersonChoiceField(queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
                                  help_text="At least one person of each side: the agency, and the district or its "
                                            "schools")

    def __init__(self, user: Any, *args: Any, meeting: JointMeeting | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies, districts, schools = _reach(user)
        if meeting is not None:
            # The two sides of a meeting are fixed once it is scheduled.
            agencies = Agency.objects.filter(pk=meeting.agency_id)
            districts = District.objects.filter(pk=meeting.district_id)
            schools = School.objects.filter(district_id=meeting.district_id, agencies=meeting.agency_id)
            for name in ("agency", "district"):
                self.fields[name].disabled = True
        for name, queryset in (("agency", agencies), ("district", districts), ("school", schools),
                               ("attendees", _people_for(agencies, districts))):
            _model_field(self, name).queryset = queryset


class MinutesForm(forms.Form):
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), max_length=100_000)
    decisions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000,
                                help_text="One decision a line")


class CancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500, help_text="Told in the audit log, not in the mail")


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=300)
    organization = forms.ChoiceField(help_text="The organization the owner acts for")
    owner = forms.ModelChoiceField(queryset=User.objects.none())
    due_on = forms.DateField(label="Due on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, meeting: JointMeeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(f"agency:{meeting.agency_id}", meeting.agency.name),
                   (f"district:{meeting.district_id}", meeting.district.name)]
        if meeting.school is not None:
            choices.append((f"school:{meeting.school_id}", meeting.school.name))
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ChoiceField)  # declared so above
        organization.choices = choices
        _model_field(self, "owner").queryset = _people_for(Agency.objects.filter(pk=meeting.agency_id),
                                                    District.objects.filter(pk=meeting.district_id))

    def organization_object(self) -> Any:
        kind, _, pk = self.cleaned_data["organization"].partition(":")
        models: dict[str, Any] = {"agency": Agency, "district": District, "school": School}
        return models[kind].objects.get(pk=int(pk))


class ItemUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)
    evidence = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000,
                               help_text="What shows it was done; needed to mark it done")
    evidence_url = forms.URLField(label="Evidence link", required=False, max_length=500, assume_scheme="https")


def _refused(form: forms.Form, exc: ActionError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message or str(exc))


# --- meetings ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The meetings the person leads or attends: upcoming first, then the past ones."""
    now = timezone.now()
    meetings = JointMeeting.objects.restrict(request.user, "view").select_related("agency", "district", "school")
    upcoming = meetings.filter(ends_at__gte=now, status=JointMeeting.Status.SCHEDULED).order_by("starts_at")
    past = meetings.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at")[:50]
    return render(request, "partnership/meeting_list.html", {
        "upcoming": upcoming, "past": past, "may_schedule": may(request.user, "partnership.jointmeeting", "change")})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = MeetingForm(request.user, request.POST or None, initial={"kind": JointMeeting.Kind.QUARTERLY})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = actions.do_schedule_meeting(
                request.user, kind=data["kind"], agency=data["agency"], district=data["district"],
                school=data["school"], title=data["title"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                location=data["location"], agenda=data["agenda"], attendees=list(data["attendees"]))
        except ActionError as exc:
            _refused(form, exc)
        else:
            return redirect("partnership:meeting-detail", meeting.pk)
    return render(request, "partnership/meeting_form.html", {"form": form, "heading": "Schedule a joint meeting",
                                                             "submit": "Schedule and send invitations"},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, "change")
    initial = {"kind": meeting.kind, "title": meeting.title, "agency": meeting.agency, "district": meeting.district,
               "school": meeting.school, "starts_at": timezone.localtime(meeting.starts_at),
               "ends_at": timezone.localtime(meeting.ends_at), "location": meeting.location, "agenda": meeting.agenda,
               "attendees": list(meeting.attendees.all())}
    form = MeetingForm(request.user, request.POST or None, initial=initial, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_update_meeting(
                request.user, meeting, attendees=list(data["attendees"]),
                **{k: data[k] for k in ("kind", "title", "school", "starts_at", "ends_at", "location", "agenda")})
        except ActionError as exc:
            _refused(form, exc)
        else:
            return redirect("partnership:meeting-detail", meeting.pk)
    return render(request, "partnership/meeting_form.html", {
        "form": form, "meeting": meeting, "heading": f"Change {meeting.title}",
        "submit": "Save and send the update"}, status=400 if form.errors else 200)


@login_required
@require_GET
def meeting_detail(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id)
    items = (ActionItem.objects.restrict(request.user, "view").filter(meeting=meeting)
             .select_related("owner", "agency", "district", "school"))
    return render(request, "partnership/meeting_detail.html", {
        "meeting": meeting, "attendees": meeting.attendees.order_by("full_name", "username"), "items": items,
        "may_change": may_do(meeting, request.user, "change"), "today": timezone.localdate(),
        "started": meeting.starts_at <= timezone.now()})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, "change")
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_cancel_meeting(request.user, meeting, reason=form.cleaned_data["reason"])
        except ActionError as exc:
            _refused(form, exc)
        else:
            return redirect("partnership:meeting-detail", meeting.pk)
    return render(request, "partnership/meeting_form.html", {
        "form": form, "meeting": meeting, "heading": f"Cancel {meeting.title}",
        "intro": "Each attendee is mailed a cancellation that removes the meeting from their calendar.",
        "submit": "Cancel the meeting"}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_minutes(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, "change")
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes,
                                                      "decisions": "\n".join(meeting.decisions)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_minutes(request.user, meeting, minutes=form.cleaned_data["minutes"],
                                      decisions=form.cleaned_data["decisions"].splitlines())
        except ActionError as exc:
            _refused(form, exc)
        else:
            return redirect("partnership:meeting-detail", meeting.pk)
    return render(request, "partnership/meeting_form.html", {
        "form": form, "meeting": meeting, "heading": f"Minutes of {meeting.title}", "submit": "Save the minutes"},
        status=400 if form.errors else 200)


@login_required
@require_GET
def meeting_ics(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id)
    response = HttpResponse(meeting_calendar(meeting), content_type=f"{MIMETYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendar_filename(meeting)}"'
    return response


# --- action items -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def action_item_create(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, "change")
    form = ActionItemForm(meeting, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_create_action_item(request.user, title=form.cleaned_data["title"],
                                          owner=form.cleaned_data["owner"], organization=form.organization_object(),
                                          due_on=form.cleaned_data["due_on"], meeting=meeting)
        except ActionError as exc:
            _refused(form, exc)
        else:
            return redirect("partnership:meeting-detail", meeting.pk)
    return render(request, "partnership/action_item_form.html", {"form": form, "meeting": meeting},
                  status=400 if form.errors else 200)


HISTORY_LABELS = {
    "partnership.create_action_item": "created it",
    "partnership.update_action_item": "updated it",
    "partnership.remind_action_item_due_soon": "reminded the owner that it falls due",
    "partnership.remind_action_item_overdue": "reminded the owner that it is overdue",
}


def _by_organization(items: Any) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for item in items:
        group = groups.setdefault(item.organization_key, {"organization": item.organization, "items": []})
        group["items"].append(item)
    return sorted(groups.values(), key=lambda g: g["organization"].name)


@login_required
@require_GET
def action_item_list(request: AuthenticatedHttpRequest, overdue: bool = False) -> HttpResponse:
    """Every visible item by organization, soonest due first; or only the overdue ones, oldest first."""
    today = timezone.localdate()
    items = (ActionItem.objects.restrict(request.user, "view")
             .select_related("owner", "meeting", "agency", "district", "school").order_by("due_on", "pk"))
    if overdue:
        items = items.filter(due_on__lt=today, status__in=ActionItem.OPEN_STATUSES)
    else:
        items = items.exclude(status__in=[ActionItem.Status.DONE, ActionItem.Status.DROPPED],
                              due_on__lt=today - dt.timedelta(days=90))
    return render(request, "partnership/action_item_list.html", {
        "groups": _by_organization(items), "overdue": overdue, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def action_item_detail(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = access_action_item(request.user, item_id)
    may_update = may_do(item, request.user, "update")
    form = ItemUpdateForm(request.POST or None, initial={"status": item.status, "evidence": item.evidence,
                                                         "evidence_url": item.evidence_url})
    if request.method == "POST":
        item = access_action_item(request.user, item_id, "update")
        if form.is_valid():
            try:
                actions.do_update_action_item(request.user, item, **form.cleaned_data)
            except ActionError as exc:
                _refused(form, exc)
            else:
                return redirect("partnership:action-item-detail", item.pk)
    history = [(entry, HISTORY_LABELS.get(entry.action, entry.action)) for entry in AuditEntry.objects.filter(
        object_type="partnership.actionitem", object_id=str(item.pk)).order_by("id")]
    return render(request, "partnership/action_item_detail.html", {
        "item": item, "form": form if may_update else None, "history": history, "today": timezone.localdate()},
        status=400 if form.errors else 200)

