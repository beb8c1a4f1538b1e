"""The responder packet: its contacts, access notes, the PDF and the ZIP."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.audit.log import record
from schoolsafe.core.models import School
from schoolsafe.plans import actions
from schoolsafe.plans.forms import (
    AccessForm,
    ContactForm,
)
from schoolsafe.plans.models import (
    EmergencyContact,
    ResponderInfo,
    SiteMap,
)
from schoolsafe.plans.pdf import packet_context, packet_filename, responder_packet_pdf, responder_packet_zip
from schoolsafe.plans.policies import (
    access_contact,
)
from schoolsafe.plans.views.common import _can, _school


@login_required
@require_GET
def responder(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, SiteMap, "packet")
    return _responder_page(request, school)


def _responder_page(request: HttpRequest, school: School, status: int = 200, contact_form: ContactForm | None = None,
                    access_form: AccessForm | None = None) -> HttpResponse:
    info = ResponderInfo.objects.filter(school=school).first()
    return render(request, "plans/responder.html", {
        "school": school, "packet": packet_context(school),
        "can_change": _can(request.user, EmergencyContact, "change", school),
        "contact_form": contact_form or ContactForm(),
        "access_form": access_form or AccessForm(initial={"access_information": info.access_information if info else ""}),
    }, status=status)


@login_required
@require_POST
def responder_contact_add(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, EmergencyContact, "change")
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _responder_page(request, school, 400, contact_form=form)
    actions.do_add_emergency_contact(request.user, school, **form.cleaned_data)
    messages.success(request, f"{form.cleaned_data['name']} was added to the 24/7 contacts.")
    return redirect("plans-responder", school.pk)


@login_required
@require_POST
def responder_contact_remove(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = access_contact(request.user, contact_id, "change")
    actions.do_remove_emergency_contact(request.user, contact)
    messages.success(request, f"{contact.name} was removed from the 24/7 contacts.")
    return redirect("plans-responder", contact.school_id)


@login_required
@require_POST
def responder_access(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, ResponderInfo, "change")
    form = AccessForm(request.POST)
    if not form.is_valid():
        return _responder_page(request, school, 400, access_form=form)
    actions.do_update_responder_info(request.user, school, **form.cleaned_data)
    messages.success(request, "The access information was saved.")
    return redirect("plans-responder", school.pk)


@login_required
@require_GET
def packet_pdf(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, SiteMap, "packet")
    # The packet holds door codes and private numbers: who took one is kept, like any sensitive read.
    record(request.user, "plans.download_responder_packet", school, organization=str(OrgKey.of(school)),
           summary={"format": "pdf"})
    response = HttpResponse(responder_packet_pdf(school), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{packet_filename(school, "pdf")}"'
    return response


@login_required
@require_GET
def packet_zip(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, SiteMap, "packet")
    record(request.user, "plans.download_responder_packet", school, organization=str(OrgKey.of(school)),
           summary={"format": "zip"})
    response = HttpResponse(responder_packet_zip(school), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{packet_filename(school, "zip")}"'
    return response
