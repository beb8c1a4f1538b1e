"""The tip line's pages for staff: the queue, one tip (triage, thread, notes, routing, outcome), phone
tips, attachments and the annual report. Every tip is loaded through the access policy; every read of
one is written to the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from schoolsafe.access.loaders import NotVisible
from schoolsafe.access.policy import allowed_roles_for_label, may, reached_schools
from schoolsafe.accounts.models import User
from schoolsafe.audit.log import record
from schoolsafe.tips import actions
from schoolsafe.tips.attachments import AttachmentError, check_attachments, install_upload_limit, media_dir, oversize_error
from schoolsafe.tips.forms import AssignForm, CloseForm, MessageForm, NoteForm, PhoneTipForm, RouteForm
from schoolsafe.tips.models import Category, Source, Status, Tip
from schoolsafe.tips.policies import access_tip
from schoolsafe.tips.reports import annual_report_csv


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Open tips first, ordered by urgency then age; closed ones on request."""
    tips = Tip.objects.restrict(request.user, "view").select_related("school", "claimed_by")
    show = request.GET.get("show", "open")
    if show == "closed":
        tips = tips.filter(status=Status.CLOSED).order_by("-closed_at")
    elif show == "mine":
        tips = tips.filter(claimed_by=request.user).exclude(status=Status.CLOSED)
    else:
        show = "open"
        tips = tips.exclude(status=Status.CLOSED)
    category = request.GET.get("category", "")
    if category in Category.values:
        tips = tips.filter(category=category)
    if show != "closed":
        tips = tips.order_by("-urgent", "-urgency_score", "received_at", "pk")
    page = Paginator(tips, 50).get_page(request.GET.get("page"))
    return render(request, "tips/staff/queue.html", {
        "page": page, "show": show, "category": category, "categories": Category.choices, "now": timezone.now(),
        "may_enter_phone_tip": may(request.user, "tips.tip", "change"),
        "may_export": may(request.user, "tips.tip", "report"),
    })


def _analysts_for(tip: Tip) -> list[Any]:
    candidates = User.objects.filter(is_active=True, memberships__role="tip_analyst").filter(
        Q(memberships__district_id=tip.district_id) | Q(memberships__agency__schools=tip.school_id)
    ).distinct().order_by("full_name", "username")
    return [u for u in candidates if Tip.objects.restrict(u, "change").filter(pk=tip.pk).exists()]


@login_required
def detail(request: HttpRequest, tip_id: int) -> HttpResponse:
    tip = access_tip(request.user, tip_id)
    actions.record_tip_read(request.user, tip)
    may_change = Tip.objects.restrict(request.user, "change").filter(pk=tip.pk).exists()
    return render(request, "tips/staff/detail.html", {
        "tip": tip,
        "may_change": may_change,
        "thread": tip.messages.select_related("author").prefetch_related("attachments"),
        "notes": tip.notes.select_related("author"),
        "attachments": tip.attachments.all(),
        "routes": tip.routes.select_related("routed_by"),
        "message_form": MessageForm(), "note_form": NoteForm(), "route_form": RouteForm(), "close_form": CloseForm(),
        "assign_form": AssignForm(analysts=_analysts_for(tip)) if may_change else None,
        "now": timezone.now(),
    })


def _back(tip: Tip, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("tips:detail", args=[tip.pk]) + (f"#{anchor}" if anchor else ""))


def _form_error(request: HttpRequest, form: Any) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        messages.error(request, f"{label}: {errors[0]}")


@login_required
@require_POST
def act(request: HttpRequest, tip_id: int, verb: str) -> HttpResponse:
    """One triage step on a tip: claim, assign, message, note, flag, unflag, route, close."""
    tip = access_tip(request.user, tip_id, "change")
    user = request.user
    form: forms.Form
    try:
        if verb == "claim":
            actions.do_claim_tip(user, tip)
            messages.success(request, "You claimed this tip.")
        elif verb == "assign":
            form = AssignForm(request.POST, analysts=_analysts_for(tip))
            if not form.is_valid():
                _form_error(request, form)
                return _back(tip)
            actions.do_claim_tip(user, tip, assignee=form.cleaned_data["assignee"])
            messages.success(request, f"Assigned to {form.cleaned_data['assignee'].display_name}.")
        elif verb == "message":
            form = MessageForm(request.POST)
            if not form.is_valid():
                _form_error(request, form)
                return _back(tip, "thread")
            actions.do_message_tipster(user, tip, form.cleaned_data["body"].strip())
            messages.success(request, "Message sent. The tipster sees it when they check the tip.")
            return _back(tip, "thread")
        elif verb == "note":
            form = NoteForm(request.POST)
            if not form.is_valid():
                _form_error(request, form)
                return _back(tip, "notes")
            actions.do_add_tip_note(user, tip, form.cleaned_data["body"].strip())
            return _back(tip, "notes")
        elif verb in ("flag", "unflag"):
            actions.do_flag_tip(user, tip, verb == "flag")
        elif verb == "route":
            form = RouteForm(request.POST)
            if not form.is_valid():
                _form_error(request, form)
                return _back(tip)
            route = actions.do_route_tip(user, tip, form.cleaned_data["destination"], form.cleaned_data["note"].strip())
            messages.success(request, f"Routed to {route.get_destination_display().lower()}.")
        elif verb == "close":
            form = CloseForm(request.POST)
            if not form.is_valid():
                _form_error(request, form)
                return _back(tip, "close")
            actions.do_close_tip(user, tip, form.cleaned_data["outcome"], form.cleaned_data["note"].strip())
            messages.success(request, "Tip closed with its outcome.")
        else:
            raise NotVisible()
    except actions.TipStateError as exc:
        messages.error(request, str(exc))
    return _back(tip)


@login_required
def attachment(request: HttpRequest, tip_id: int, attachment_id: int) -> HttpResponse:
    tip = access_tip(request.user, tip_id)
    item = tip.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise NotVisible()
    path = media_dir() / item.stored_name
    if not path.is_file():
        raise NotVisible()
    actions.record_tip_read(request.user, tip, f"attachment {item.pk}")
    # Read whole (at most 10 MB): a file iterator would be consumed synchronously under ASGI anyway.
    response = HttpResponse(path.read_bytes(), content_type=item.content_type)
    # PDFs are downloaded rather than opened in the page: a PDF from the public is untrusted content.
    disposition = "inline" if item.kind == "image" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="tip-{tip.code}-{item.pk}.{item.stored_name.rsplit(".", 1)[-1]}"'
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@login_required
@csrf_exempt
def phone_tip(request: HttpRequest) -> HttpResponse:
    """An analyst types in a tip received by phone; the caller is read the code and passphrase."""
    # Django's documented pattern: the upload size guard must be in place before the CSRF check reads
    # the body, so the check runs inside (csrf_protect), not in the middleware.
    if request.method == "POST":
        install_upload_limit(request)
    return _phone_tip(request)


@csrf_protect
def _phone_tip(request: HttpRequest) -> HttpResponse:
    # A tip taken on the phone is entered by who triages tips.
    if not may(request.user, "tips.tip", "change"):
        raise NotVisible()
    triage = allowed_roles_for_label("tips.tip", "change")
    schools = reached_schools(request.user, triage).select_related("district").order_by("district__name", "name")
    if request.method == "POST":
        form = PhoneTipForm(request.POST)
        attachment_error = oversize_error(request)
        clean_files = []
        if attachment_error is None:
            try:
                clean_files = check_attachments(request.FILES.getlist("attachments"))
            except AttachmentError as exc:
                attachment_error = exc
        if form.is_valid() and attachment_error is None:
            if not schools.filter(pk=form.cleaned_data["school"].pk).exists():
                form.add_error("school", "Choose one of your schools.")
            else:
                tip, passphrase = actions.do_submit_tip(
                    form.tip_input(form.cleaned_data["language"]), clean_files, source=Source.PHONE,
                    entered_by=request.user)
                return render(request, "tips/staff/phone_done.html", {"tip": tip, "passphrase": passphrase}, status=201)
        return render(request, "tips/staff/phone.html", {
            "form": form, "schools": schools, "attachment_error": attachment_error.message if attachment_error else ""},
            status=attachment_error.status if attachment_error else 422)
    return render(request, "tips/staff/phone.html", {"form": PhoneTipForm(), "schools": schools})


@login_required
def annual_report(request: HttpRequest) -> HttpResponse:
    """The annual report as CSV, for the districts (or agencies) the user reports on."""
    tips = Tip.objects.restrict(request.user, "report")
    if not may(request.user, "tips.tip", "report"):
        raise NotVisible()
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise NotVisible()
    body = annual_report_csv(tips, year)
    record(request.user, "tips.export_annual_report", object_type="tips.tip", summary={"year": year})
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tips-annual-report-{year}.csv"'
    return response
