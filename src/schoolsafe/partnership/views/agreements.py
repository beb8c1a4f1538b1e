"""Pages: information-sharing agreements (list, detail, a new one) and the 24/7 contact directory (per school
and per agency, with adding and verifying entries). Each page loads through the policy (policies.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from schoolsafe.access import policy
from schoolsafe.access.loaders import NotAllowed, may_do
from schoolsafe.accounts.http import AuthenticatedHttpRequest
from schoolsafe.core.errors import ActionError
from schoolsafe.core.models import Agency, District, School
from schoolsafe.core.policies import access_school
from schoolsafe.partnership import actions
from schoolsafe.partnership.models.agreements import (
    DATA_CATEGORIES,
    LEGAL_BASES,
    STALE_AFTER,
    DirectoryEntry,
    SharingAgreement,
)
from schoolsafe.partnership.policies import (
    access_agreement,
    access_directory_agency,
    access_directory_entry,
    may_add_directory_entry,
)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class AgreementForm(forms.Form):
    title = forms.CharField(max_length=200)
    agencies = forms.ModelMultipleChoiceField(queryset=Agency.objects.none(), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    districts = forms.ModelMultipleChoiceField(queryset=District.objects.none(), required=False,
                                               widget=forms.CheckboxSelectMultiple)
    data_categories = forms.MultipleChoiceField(choices=DATA_CATEGORIES, widget=forms.CheckboxSelectMultiple)
    legal_basis = forms.ChoiceField(choices=LEGAL_BASES)
    legal_citation = forms.CharField(max_length=300, required=False,
                                     help_text="Required for a state statute or a court order.")
    retention_days = forms.IntegerField(min_value=1, max_value=36500, label="Retention period (days)")
    effective_date = forms.DateField(widget=_date_input())
    expiry_date = forms.DateField(required=False, widget=_date_input())
    status = forms.ChoiceField(choices=SharingAgreement.Status.choices)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.restrict(user, "view").order_by("name")  # type: ignore[attr-defined]
        self.fields["districts"].queryset = District.objects.restrict(user, "view").order_by("name")  # type: ignore[attr-defined]


class EntryForm(forms.Form):
    role = forms.CharField(max_length=120)
    name = forms.CharField(max_length=200)
    phone = forms.CharField(max_length=40)
    alternate_phone = forms.CharField(max_length=40, required=False)
    escalation_order = forms.IntegerField(min_value=1, max_value=99, initial=1, label="Order of escalation")
    hours = forms.CharField(max_length=120, initial="24/7", help_text="24/7, or a range such as Mon–Fri 7:00–16:00.")


class AgencyEntryForm(EntryForm):
    kind = forms.ChoiceField(choices=[("agency", "The agency"), ("psap", "Its PSAP (911 centre)")], initial="agency")
    psap_name = forms.CharField(max_length=200, required=False, label="PSAP name",
                                help_text="The 911 centre's name, for a PSAP entry.")


def _form_error(form: forms.Form, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- agreements -------------------------------------------------------------------------------------------


@login_required
@require_GET
def agreement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    agreements = SharingAgreement.objects.restrict(request.user, "view").prefetch_related("agencies", "districts")
    return render(request, "partnership/agreement_list.html", {
        "rows": [{"agreement": a, "standing": a.standing(today)} for a in agreements],
        "may_create": policy.may(request.user, "partnership.sharingagreement", "change")})


@login_required
@require_GET
def agreement_detail(request: AuthenticatedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access_agreement(request.user, agreement_id)
    return render(request, "partnership/agreement_detail.html", {
        "agreement": agreement, "standing": agreement.standing(timezone.localdate()),
        "basis": dict(LEGAL_BASES).get(agreement.legal_basis, agreement.legal_basis),
        "can_change": may_do(agreement, request.user, "change"), "statuses": SharingAgreement.Status.choices})


@login_required
@require_POST
def agreement_status(request: AuthenticatedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access_agreement(request.user, agreement_id, "change")
    actions.do_change_agreement(request.user, agreement, status=request.POST.get("status", ""))
    messages.success(request, "The agreement's status was changed.")
    return redirect("partnership:agreement-detail", agreement.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.may(request.user, "partnership.sharingagreement", "change"):
        raise NotAllowed("change")
    form = AgreementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        agencies, districts = list(values.pop("agencies")), list(values.pop("districts"))
        try:
            agreement = actions.do_create_agreement(request.user, agencies=agencies, districts=districts, **values)
        except ActionError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"{agreement.title} was recorded.")
            return redirect("partnership:agreement-detail", agreement.pk)
    return render(request, "partnership/agreement_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


# --- the 24/7 directory -----------------------------------------------------------------------------------


@login_required
@require_GET
def directory_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    schools = School.objects.restrict(request.user, "view").select_related("district").order_by("name")
    agencies = Agency.objects.restrict(request.user, "view").order_by("name")
    return render(request, "partnership/directory_index.html", {"schools": schools, "agencies": agencies})


def _rows(entries: list[DirectoryEntry], user: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    changeable = set(DirectoryEntry.objects.restrict(user, "change").filter(
        pk__in=[e.pk for e in entries]).values_list("pk", flat=True))
    return [{"entry": e, "stale": e.is_stale(today), "can_change": e.pk in changeable} for e in entries]


def _directory_page(request: AuthenticatedHttpRequest, *, school: Any = None, agency: Any = None,
                    form: forms.Form | None = None, status: int = 200) -> HttpResponse:
    visible = DirectoryEntry.objects.restrict(request.user, "view").select_related("verified_by", "agency")
    if school is not None:
        agencies = school.agencies.all()
        groups = [("School", list(visible.filter(school=school))),
                  ("Serving agencies", list(visible.filter(agency__in=agencies, kind="agency"))),
                  ("PSAPs (911 centres)", list(visible.filter(agency__in=agencies, kind="psap")))]
    else:
        groups = [("Agency", list(visible.filter(agency=agency, kind="agency"))),
                  ("PSAP (911 centre)", list(visible.filter(agency=agency, kind="psap")))]
    may_add = may_add_directory_entry(request.user, school=school, agency=agency)
    if form is None and may_add:
        form = EntryForm() if school is not None else AgencyEntryForm()
    return render(request, "partnership/directory_list.html", {
        "school": school, "agency": agency, "groups": [(label, _rows(rows, request.user)) for label, rows in groups],
        "form": form, "may_add": may_add, "stale_days": STALE_AFTER.days}, status=status)


@login_required
@require_GET
def directory_school(request: AuthenticatedHttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id, "partnership.directoryentry", "view")
    return _directory_page(request, school=school)


@login_required
@require_GET
def directory_agency(request: AuthenticatedHttpRequest, agency_id: int) -> HttpResponse:
    return _directory_page(request, agency=access_directory_agency(request.user, agency_id))


@login_required
@require_POST
def directory_school_add(request: AuthenticatedHttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id, "partnership.directoryentry", "view")
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            entry = actions.do_create_contact(request.user, kind="school", school=school, **form.cleaned_data)
        except ActionError as exc:
            if exc.status == 403:
                raise NotAllowed("change") from exc
            _form_error(form, exc)
        else:
            messages.success(request, f"{entry.name} was added to the directory.")
            return redirect("partnership:directory-school", school.pk)
    return _directory_page(request, school=school, form=form, status=400)


@login_required
@require_POST
def directory_agency_add(request: AuthenticatedHttpRequest, agency_id: int) -> HttpResponse:
    agency = access_directory_agency(request.user, agency_id)
    form = AgencyEntryForm(request.POST)
    if form.is_valid():
        try:
            entry = actions.do_create_contact(request.user, agency=agency, **form.cleaned_data)
        except ActionError as exc:
            if exc.status == 403:
                raise NotAllowed("change") from exc
            _form_error(form, exc)
        else:
            messages.success(request, f"{entry.name} was added to the directory.")
            return redirect("partnership:directory-agency", agency.pk)
    return _directory_page(request, agency=agency, form=form, status=400)


@login_required
@require_POST
def directory_verify(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = access_directory_entry(request.user, entry_id, "change")
    actions.do_verify_contact(request.user, entry)
    messages.success(request, f"{entry.name}'s number is marked verified today.")
    if entry.school_id:
        return redirect("partnership:directory-school", entry.school_id)
    return redirect("partnership:directory-agency", entry.agency_id)
