"""What an action refuses is one kind of error, answered with its status by the API and by pages alike."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from schoolsafe.alerts.actions import AlertStateError, AllClearRefused, DrillWindowError
from schoolsafe.alerts.credentials import PanicCredentialError
from schoolsafe.core.errors import ActionError, ActionErrorMiddleware
from schoolsafe.notifications.validation import ChannelError
from schoolsafe.plans.actions import PlanError
from schoolsafe.reach.actions import PushError
from schoolsafe.threats.actions import ThreatError, WorkflowError
from schoolsafe.tips.actions import TipStateError


@pytest.mark.parametrize(("error", "status", "detail"), [
    (AlertStateError("the alert is already cancelled"), 409, "the alert is already cancelled"),
    (AllClearRefused("an officer must concur", "concurrence"), 403, "concurrence: an officer must concur"),
    (DrillWindowError("ends_at: must be after starts_at"), 422, "ends_at: must be after starts_at"),
    (PanicCredentialError("too many alerts", status=429), 429, "too many alerts"),
    (ChannelError({"url": "must be https"}), 422, "url: must be https"),
    (PlanError("the plan is already approved"), 409, "the plan is already approved"),
    (PushError("must be the push service's URL", "endpoint"), 422, "endpoint: must be the push service's URL"),
    (ThreatError("required", "summary"), 400, "summary: required"),
    (WorkflowError("screen the case first"), 409, "screen the case first"),
    (TipStateError("this tip is closed"), 409, "this tip is closed"),
])
def test_every_apps_refusal_is_an_action_error_with_its_status(error, status, detail):
    assert isinstance(error, ActionError)
    assert (error.status, error.detail) == (status, detail)


@pytest.mark.django_db
def test_a_page_that_lets_an_action_error_through_answers_with_its_status_and_message():
    request = RequestFactory().post("/somewhere/")
    request.user = AnonymousUser()
    request.session = {}
    middleware = ActionErrorMiddleware(lambda request: None)
    response = middleware.process_exception(request, TipStateError("this tip is closed"))
    assert response.status_code == 409
    assert "this tip is closed" in response.content.decode()
    assert middleware.process_exception(request, ValueError("not ours")) is None
