"""The CSTAG steps as one table, read by the case page (views.py) and the API (api.py) alike.

Each step names, once: its spelling, its place in the order, the inputs its action takes, how the page's
form gives the ones that are not plain text fields, and the action that records it. The canonical spelling
is the `Step` value with underscores ("safety_plan"): the API's `step`, the decision's `step`, the case's
`stage`. The page's URL writes it with hyphens (`/cases/7/safety-plan/`, the form's id); `by_spelling`
takes either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.dateparse import parse_date

from schoolsafe.threats import actions
from schoolsafe.threats.actions import ThreatError
from schoolsafe.threats.models import Case, FollowUp, Stage, Step, TeamMember

FormReader = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class CstagStep:
    """One step: `record(actor, case_id, **inputs)` records it; `inputs` are the names it takes."""

    name: str
    number: int | None
    progress: str
    record: Callable[..., Any]
    inputs: tuple[str, ...]
    done: str
    flags: tuple[str, ...] = ()
    form_reader: FormReader | None = None
    current_at: tuple[str, ...] = field(default=())

    @property
    def slug(self) -> str:
        """The page's spelling (URL and form id)."""
        return self.name.replace("_", "-")

    def form_inputs(self, post: Mapping[str, Any]) -> dict[str, Any]:
        """The step's inputs from the page's form: text fields as typed, a checked box is "on"."""
        values: dict[str, Any] = {name: post.get(name, "") for name in self.inputs}
        values.update({name: post.get(name) == "on" for name in self.flags})
        if self.form_reader is not None:
            values.update(self.form_reader(post))
        return values

    def api_inputs(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The step's inputs from the API's body (already typed by its schema)."""
        return {name: payload.get(name) for name in self.inputs}


def _notification_rows(post: Mapping[str, Any]) -> dict[str, Any]:
    # The page's form has three rows of who was notified; an empty row is not a notification.
    rows = [{"recipient": post.get(f"recipient_{i}", ""), "name": post.get(f"name_{i}", ""),
             "method": post.get(f"method_{i}", "")} for i in range(3)]
    return {"notifications": [r for r in rows if str(r["name"]).strip()]}


def monitoring_dates(post: Mapping[str, Any]) -> list[dt.date]:
    """The page asks for a first date, a spacing and a count rather than a list of dates."""
    first = parse_date(post.get("first_date", "") or "")
    if first is None:
        raise ThreatError("The first follow-up date is required (YYYY-MM-DD).", "monitoring_dates")
    try:
        every, count = int(post.get("every_days") or 7), int(post.get("count") or 1)
    except ValueError:
        raise ThreatError("Every how many days, and how many checks: whole numbers.", "monitoring_dates") from None
    if not (1 <= every <= 90 and 1 <= count <= 26):
        raise ThreatError("Checks every 1 to 90 days, 1 to 26 of them.", "monitoring_dates")
    return [first + dt.timedelta(days=every * i) for i in range(count)]


def _safety_plan_form(post: Mapping[str, Any]) -> dict[str, Any]:
    return {"responsible_id": post.get("responsible") or None, "monitoring_dates": monitoring_dates(post)}


def _follow_up_form(post: Mapping[str, Any]) -> dict[str, Any]:
    return {"next_due_on": post.get("next_due_on") or None}


def _adopt_safety_plan(actor: Any, case_id: int, *, responsible_id: Any, **inputs: Any) -> Any:
    """The responsible person is given by user id; only a current member of the case's team counts."""
    team_id = Case.objects.filter(pk=case_id).values_list("team_id", flat=True).first()
    member = TeamMember.objects.filter(team_id=team_id, user_id=responsible_id,
                                       removed_at__isnull=True).select_related("user").first() if (
        team_id is not None and str(responsible_id or "").isdigit()) else None
    return actions.do_adopt_safety_plan(actor, case_id, responsible=member.user if member else None, **inputs)


def _record_follow_up(actor: Any, case_id: int, *, follow_up_id: Any, **inputs: Any) -> Any:
    """The follow-up must be one of this case's."""
    if not follow_up_id or not FollowUp.objects.filter(pk=follow_up_id, case_id=case_id).exists():
        raise ThreatError("Give the id of one of this case's follow-ups.", "follow_up_id")
    return actions.do_record_follow_up(actor, follow_up_id, **inputs)


STEPS: tuple[CstagStep, ...] = (
    CstagStep(Step.EVALUATE, 1, "Evaluate", actions.do_record_evaluation,
              ("person_interview", "witness_interviews", "target_interviews", "records_reviewed", "rationale"),
              "Step 1 recorded: evaluation."),
    CstagStep(Step.CLASSIFY, 2, "Transient or substantive", actions.do_classify_threat,
              ("classification", "rationale", "resolution"), "Step 2 recorded.", flags=("in_doubt",)),
    CstagStep(Step.RESPOND, 3, "Substantive response", actions.do_record_substantive_response,
              ("seriousness", "protective_actions", "rationale", "notifications"),
              "Step 3 recorded: substantive response.", form_reader=_notification_rows),
    CstagStep(Step.SAFETY_EVALUATION, 4, "Safety evaluation", actions.do_record_safety_evaluation,
              ("mental_health_assessment", "law_enforcement_investigation", "interim_measures", "rationale"),
              "Step 4 recorded: safety evaluation."),
    CstagStep(Step.SAFETY_PLAN, 5, "Safety plan and monitoring", _adopt_safety_plan,
              ("interventions", "responsible_id", "monitoring_schedule", "monitoring_dates", "rationale"),
              "Step 5: safety plan adopted; reminders scheduled.", form_reader=_safety_plan_form,
              current_at=(Stage.SAFETY_PLAN, Stage.MONITORING)),
    CstagStep(Step.FOLLOW_UP, None, "", _record_follow_up, ("follow_up_id", "summary", "next_due_on"),
              "Follow-up recorded.", form_reader=_follow_up_form),
    CstagStep(Step.CLOSE, None, "", actions.do_close_case, ("outcome", "reason"), "Case closed."),
)
NAMES: tuple[str, ...] = tuple(str(s.name) for s in STEPS)
BY_NAME: dict[str, CstagStep] = {str(s.name): s for s in STEPS}
_BY_SPELLING = {**BY_NAME, **{s.slug: s for s in STEPS}}


def by_spelling(spelling: str) -> CstagStep | None:
    """The step written either way ("safety_plan" or "safety-plan"), or None."""
    return _BY_SPELLING.get(spelling)


def progress(stage: str, taken: set[str]) -> list[dict[str, Any]]:
    """The numbered steps as the case page lists them: which is current, which are done."""
    return [{"number": s.number, "label": s.progress, "current": stage in (s.current_at or (s.name,)),
             "done": s.name in taken} for s in STEPS if s.number is not None]


FOLLOW_UP = BY_NAME[Step.FOLLOW_UP]
