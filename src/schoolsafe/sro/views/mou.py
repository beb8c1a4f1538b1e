"""MOU register pages: the list, one MOU (its sections, signatories, signing, the signed PDF), a new MOU, the
PDF. Each page loads through the policy (sro/policies.py) and writes through one action."""

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
from schoolsafe.core.models import Agency, District
from schoolsafe.sro import actions
from schoolsafe.sro.api_mou import signed_file_response
from schoolsafe.sro.models.mou import SECTIONS, Mou, MouSignatory
from schoolsafe.sro.mou_pdf import mou_filename, mou_pdf
from schoolsafe.sro.policies import access_mou


class MouForm(forms.Form):
    title = forms.CharField(max_length=200)
    agency = forms.ModelChoiceField(queryset=Agency.objects.none())
    district = forms.ModelChoiceField(queryset=District.objects.none())
    effective_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    expiry_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    review_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="When the parties next review it; left empty, 90 days before expiry.")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.restrict(user, "view").order_by("name")  # type: ignore[attr-defined]
        self.fields["district"].queryset = District.objects.restrict(user, "view").order_by("name")  # type: ignore[attr-defined]


class SectionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)


class SignatoryForm(forms.Form):
    name = forms.CharField(max_length=200)
    title = forms.CharField(max_length=200)
    side = forms.ChoiceField(choices=MouSignatory.Side.choices)
    signed_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Date signed")


class SignedFileForm(forms.Form):
    signed_file = forms.FileField(label="Signed MOU (PDF, at most 10 MB)")


@login_required
@require_GET
def mou_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    mous = list(Mou.objects.restrict(request.user, "view").select_related("agency", "district"))
    return render(request, "sro/mou_list.html", {
        "rows": [{"mou": m, "due": m.due_for_review(today)} for m in mous],
        "may_create": policy.may(request.user, "sro.mou", "change"), "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def mou_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.may(request.user, "sro.mou", "change"):
        raise NotAllowed("change")
    form = MouForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            mou = actions.do_create_mou(request.user, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{mou.title} was drafted.")
            return redirect("sro:mou-detail", mou.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "sro/mou_form.html", {"form": form}, status=status)


def _detail(request: AuthenticatedHttpRequest, mou: Mou, status: int = 200, **forms_given: Any) -> HttpResponse:
    texts = {s.key: s.text for s in mou.sections.all()}
    can_change = may_do(mou, request.user, "change")
    editable = can_change and mou.status in (Mou.Status.DRAFT, Mou.Status.IN_REVIEW)
    sections = []
    for key, heading in SECTIONS:
        form = forms_given.get(f"section_{key}") or SectionForm(initial={"text": texts.get(key, "")}, prefix=key)
        # Eight text boxes on one page: each is labelled by its section, not "Text" eight times.
        form.fields["text"].label = f"Text of “{heading}”"
        sections.append({"key": key, "heading": heading, "text": texts.get(key, ""), "form": form})
    return render(request, "sro/mou_detail.html", {
        "mou": mou, "sections": sections, "signatories": list(mou.signatories.all()), "can_change": can_change,
        "editable": editable, "due": mou.due_for_review(timezone.localdate()),
        "signatory_form": forms_given.get("signatory_form") or SignatoryForm(),
        "file_form": forms_given.get("file_form") or SignedFileForm(),
        "sign_error": forms_given.get("sign_error"),
        "has_statement": actions.has_discipline_statement(texts.get("roles", "")),
        "statement": actions.DISCIPLINE_STATEMENT}, status=status)


@login_required
@require_GET
def mou_detail(request: AuthenticatedHttpRequest, mou_id: int) -> HttpResponse:
    return _detail(request, access_mou(request.user, mou_id))


@login_required
@require_POST
def mou_section(request: AuthenticatedHttpRequest, mou_id: int, key: str) -> HttpResponse:
    mou = access_mou(request.user, mou_id, "change")
    form = SectionForm(request.POST, prefix=key)
    if form.is_valid():
        try:
            actions.do_change_mou_section(request.user, mou, key=key, text=form.cleaned_data["text"])
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "The section was saved.")
            return redirect("sro:mou-detail", mou.pk)
    return _detail(request, mou, 400, **{f"section_{key}": form})


@login_required
@require_POST
def mou_signatory(request: AuthenticatedHttpRequest, mou_id: int) -> HttpResponse:
    mou = access_mou(request.user, mou_id, "change")
    form = SignatoryForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_signatory(request.user, mou, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{form.cleaned_data['name']} was added as a signatory.")
            return redirect("sro:mou-detail", mou.pk)
    return _detail(request, mou, 400, signatory_form=form)


@login_required
@require_POST
def mou_sign(request: AuthenticatedHttpRequest, mou_id: int) -> HttpResponse:
    mou = access_mou(request.user, mou_id, "change")
    try:
        actions.do_mark_mou_signed(request.user, mou)
    except ActionError as exc:
        return _detail(request, mou, exc.status, sign_error=exc.message)
    messages.success(request, "The MOU is marked signed.")
    return redirect("sro:mou-detail", mou.pk)


@login_required
@require_POST
def mou_signed_file_upload(request: AuthenticatedHttpRequest, mou_id: int) -> HttpResponse:
    mou = access_mou(request.user, mou_id, "change")
    form = SignedFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["signed_file"]
        try:
            if upload.size > actions.MAX_SIGNED_FILE_BYTES:
                raise actions.MouError("the signed file is larger than 10 MB", field="signed_file", status=413)
            actions.do_attach_signed_file(request.user, mou, name=upload.name, data=upload.read())
        except ActionError as exc:
            form.add_error("signed_file", exc.message)
        else:
            messages.success(request, "The signed PDF was attached.")
            return redirect("sro:mou-detail", mou.pk)
    return _detail(request, mou, 400, file_form=form)


@login_required
@require_GET
def mou_signed_file(request: AuthenticatedHttpRequest, mou_id: int) -> HttpResponse:
    return signed_file_response(request.user, access_mou(request.user, mou_id), via="page")


@login_required
@require_GET
def mou_pdf_view(request: AuthenticatedHttpRequest, mou_id: int) -> HttpResponse:
    mou = access_mou(request.user, mou_id)
    response = HttpResponse(mou_pdf(mou), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{mou_filename(mou)}"'
    return response
