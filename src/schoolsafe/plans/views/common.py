"""What the plans pages share: the schools a user may act on, loading one school through the policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from schoolsafe.access.policy import allowed_roles, reached_schools_q
from schoolsafe.core.models import School
from schoolsafe.core.policies import access_school
from schoolsafe.plans.models import Plan


def schools_for(user: Any, model: type[Model], action: str) -> QuerySet:
    """The schools on which `user` may `action` the school-level `model` (the policy's table decides)."""
    return School.objects.filter(reached_schools_q(user, allowed_roles(model, action)))


def _school(request: HttpRequest, school_id: int, model: type[Model] = Plan, action: str = "view") -> School:
    return access_school(request.user, school_id, model._meta.label_lower, action)


def _can(user: Any, model: type[Model], action: str, school: School) -> bool:
    return schools_for(user, model, action).filter(pk=school.pk).exists()


def _invalid(request: HttpRequest, form: Any, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {**context, "form": form}, status=400)
