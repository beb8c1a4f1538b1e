"""The CSTAG step table (threats/steps.py) is the one list both the case page and the API follow."""

from __future__ import annotations

import typing

import pytest
from django.urls import reverse

from schoolsafe.testing.personas import client_for
from schoolsafe.threats import actions, steps
from schoolsafe.threats.api import DecisionIn
from schoolsafe.threats.models import Stage, Step
from schoolsafe.threats.tests.conftest import intake


def test_the_api_accepts_exactly_the_steps_of_the_table_in_their_canonical_spelling():
    assert typing.get_args(DecisionIn.model_fields["step"].annotation) == steps.NAMES
    assert steps.NAMES == ("evaluate", "classify", "respond", "safety_evaluation", "safety_plan", "follow_up", "close")
    assert set(steps.NAMES) == set(Step.values) - {Step.INTAKE}


def test_the_page_takes_either_spelling_of_a_step():
    assert steps.by_spelling("safety-plan") is steps.by_spelling("safety_plan") is steps.BY_NAME["safety_plan"]
    assert steps.by_spelling("safety-plan").slug == "safety-plan"
    assert steps.by_spelling("nonsense") is None


def test_the_progress_list_follows_the_table(world):
    rows = steps.progress(Stage.MONITORING, {"evaluate", "classify", "respond", "safety_plan"})
    assert [(r["number"], r["label"]) for r in rows] == [
        (1, "Evaluate"), (2, "Transient or substantive"), (3, "Substantive response"), (4, "Safety evaluation"),
        (5, "Safety plan and monitoring")]
    assert [r["number"] for r in rows if r["current"]] == [5]
    assert [r["number"] for r in rows if r["done"]] == [1, 2, 3, 5]


@pytest.mark.parametrize("spelling", ["evaluate", "safety_evaluation", "safety-evaluation"])
def test_a_step_posted_to_the_page_in_either_spelling_is_recorded_by_the_same_action(
        spelling, lead_a, clinician_a, officer_a, team_a):
    case = actions.do_open_case(lead_a, team_a, **intake())
    client = client_for(lead_a)
    if spelling != "evaluate":
        actions.do_record_evaluation(lead_a, case, person_interview="Met him", rationale="r")
        actions.do_classify_threat(lead_a, case, classification="substantive", rationale="r")
        actions.do_record_substantive_response(lead_a, case, seriousness="very_serious", protective_actions="p",
                                               rationale="r", notifications=[{"recipient": "target_parent",
                                                                              "name": "A parent", "method": "phone"}])
        data = {"mental_health_assessment": "m", "law_enforcement_investigation": "l", "interim_measures": "i",
                "rationale": "r"}
    else:
        data = {"person_interview": "Met him", "rationale": "r"}
    response = client.post(reverse("threats:step", args=[case.pk, spelling]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.decisions.order_by("-pk").first().step == spelling.replace("-", "_")
