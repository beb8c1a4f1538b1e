"""The school's Standard Response Protocol settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from schoolsafe.access.loaders import NotAllowed
from schoolsafe.plans import actions
from schoolsafe.plans.forms import (
    ResponseProtocolForm,
)
from schoolsafe.plans.models import (
    ResponseProtocol,
)
from schoolsafe.plans.srp import ACTION_LABELS, ACTIONS, directives_for, locations, protocol_for
from schoolsafe.plans.views.common import _can, _invalid, _school


@login_required
@require_http_methods(["GET", "POST"])
def response_protocol(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id, ResponseProtocol, "view")
    can_change = _can(request.user, ResponseProtocol, "change", school)
    protocol = protocol_for(school)
    context = {"school": school, "protocol": protocol, "can_change": can_change,
               "directives": [(ACTION_LABELS[a], getattr(protocol, a)) for a in ACTIONS],
               "spanish": [(ACTION_LABELS[a], text) for a, text in directives_for(school, "es").items()],
               "evacuation": locations(protocol.evacuation_locations),
               "reunification": locations(protocol.reunification_locations)}
    if request.method == "POST":
        if not can_change:
            raise NotAllowed("change")
        form = ResponseProtocolForm(request.POST)
        if not form.is_valid():
            return _invalid(request, form, "plans/response_protocol.html", context)
        data = form.cleaned_data
        actions.do_update_response_protocol(
            request.user, school, directives={a: data[a] for a in ACTIONS}, shelter_strategies=data["shelter_strategies"],
            spanish={a: data[f"{a}_es"] for a in ACTIONS},
            evacuation_locations=data["evacuation_locations"], reunification_locations=data["reunification_locations"])
        messages.success(request, "The Standard Response Protocol settings were saved.")
        return redirect("plans-srp", school.pk)
    initial = {a: getattr(protocol, a) for a in ACTIONS}
    initial.update({f"{a}_es": (protocol.spanish or {}).get(a, "") for a in ACTIONS})
    initial.update(shelter_strategies="\n".join(f"{k}: {v}" for k, v in protocol.shelter_strategies.items()),
                   evacuation_locations=protocol.evacuation_locations,
                   reunification_locations=protocol.reunification_locations)
    return render(request, "plans/response_protocol.html", {**context, "form": ResponseProtocolForm(initial=initial)})
