"""The ICS 214 activity log of an incident, as CSV and PDF: the timeline, the period, who prepared it."""

from __future__ import annotations

import csv
import io
import re

import pytest
from pypdf import PdfReader

from schoolsafe.alerts.tests.conftest import ALERTS_URL
from schoolsafe.alerts.tests.incident import play_incident, raise_alert
from schoolsafe.alerts.timeline import timeline_for
from schoolsafe.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def url(alert_id: int, fmt: str) -> str:
    return f"{ALERTS_URL}/{alert_id}/ics214.{fmt}"


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def incident(api, world, teacher_a, dispatcher, quick_escalation):
    dispatcher.full_name, dispatcher.title = "Dana Reyes", "Dispatch supervisor, shift B"
    dispatcher.save()
    return play_incident(api, world, teacher_a, dispatcher)


def test_the_pdf_opens_and_holds_every_timeline_entry(api, incident, dispatcher):
    response = api(dispatcher).get(url(incident.alert.pk, "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="ics214-alert-{incident.alert.pk}.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    assert "ACTIVITY LOG (ICS 214)" in text
    assert f"Lockdown at School A High, {incident.alert.raised_at:%Y}" in text
    assert "2. Operational Period" in text and "8. Prepared by" in text
    entries = timeline_for(incident.alert, names=True)  # the export is for those who may read names
    assert len(entries) == 7
    for entry in entries:
        assert flat(entry.text) in text, entry.text
    assert incident.message in text
    assert "Ana Diaz" in text
    # Prepared by the person who asked for it, with their position.
    assert "Dana Reyes" in text and "Dispatch supervisor, shift B" in text


def test_the_csv_has_the_form_boxes_and_one_row_per_entry(api, incident, dispatcher):
    response = api(dispatcher).get(url(incident.alert.pk, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_label = {row[0]: row for row in rows if row and row[0]}
    assert by_label["1. Incident Name"][1].startswith("Lockdown at School A High")
    period = by_label["2. Operational Period"]
    stamp = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$")
    assert period[1] == "From" and stamp.match(period[2]) and period[3] == "To" and stamp.match(period[4])
    # The period ends with the all clear.
    assert period[4] > period[2] or period[4] == period[2]
    assert by_label["3. Name"][1] == "Dana Reyes"
    assert by_label["4. ICS Position"][1] == "Dispatch supervisor, shift B"
    assert by_label["5. Home Agency (and Unit)"][1] == "Agency A Police"
    prepared = by_label["8. Prepared by"]
    assert prepared[1:5] == ["Name", "Dana Reyes", "Position/Title", "Dispatch supervisor, shift B"]
    assert prepared[5] == "Date/Time" and stamp.match(prepared[6])
    start = rows.index(by_label["7. Activity Log"])
    log = [row for row in rows[start + 1:] if row and not row[0]]
    assert [row[3] for row in log] == [e.kind for e in timeline_for(incident.alert)]
    assert all(stamp.match(row[1]) for row in log)
    assert log[-1][2] == ("All clear given on behalf of the incident commander, Sgt. Lee, incident commander. Stay "
                          "locked until an officer or administrator releases your room in person. (Dana Reyes)")
    resources = [row[1] for row in rows[rows.index(by_label["6. Resources Assigned"]) + 1:start]]
    assert resources == ["Dana Reyes", "Teacher A"]


def test_an_export_is_on_the_audit_log(api, incident, dispatcher):
    assert api(dispatcher).get(url(incident.alert.pk, "csv")).status_code == 200
    assert api(dispatcher).get(url(incident.alert.pk, "pdf")).status_code == 200
    reads = AuditEntry.objects.filter(action="alerts.read_alert").order_by("id")
    assert [(r.actor_id, r.summary["format"]) for r in reads] == [(dispatcher.pk, "csv"), (dispatcher.pk, "pdf")]
    assert {r.organization for r in reads} == {f"school:{incident.alert.school_id}"}


def test_an_ongoing_incident_runs_to_now(api, world, teacher_a, principal_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    rows = list(csv.reader(io.StringIO(api(principal_a).get(url(alert.pk, "csv")).content.decode())))
    period = next(row for row in rows if row and row[0] == "2. Operational Period")
    assert period[4].endswith("(ongoing)")


def test_a_message_that_looks_like_a_formula_stays_text(api, world, teacher_a, principal_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    assert api(teacher_a).post(f"{ALERTS_URL}/{alert.pk}/messages", {"text": "=HYPERLINK(\"http://x\")"}).status_code == 201
    content = api(principal_a).get(url(alert.pk, "csv")).content.decode()
    assert "'=HYPERLINK" in content
    assert not any(cell.startswith("=") for row in csv.reader(io.StringIO(content)) for cell in row)


def test_who_may_export(api, world, teacher_a, teacher_b, dispatcher_b):
    alert = raise_alert(api, teacher_a, world.school_a)
    for fmt in ("csv", "pdf"):
        assert api(None).get(url(alert.pk, fmt)).status_code == 401
        assert api(teacher_b).get(url(alert.pk, fmt)).status_code == 404
        assert api(dispatcher_b).get(url(alert.pk, fmt)).status_code == 404
        # A teacher sees the incident but the log names students: those who run the response export it.
        response = api(teacher_a).get(url(alert.pk, fmt))
        assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="alerts.read_alert").exists()


def test_the_page_session_reaches_the_export(world, principal_a, teacher_a, api):
    """The incident pages link to the export: a signed-in browser session is enough (school admins need no MFA)."""
    from schoolsafe.conftest import client_for

    alert = raise_alert(api, teacher_a, world.school_a)
    browser = client_for(principal_a)
    response = browser.get(url(alert.pk, "pdf"))
    assert response.status_code == 200, response.content[:300]
    assert response.content.startswith(b"%PDF")
