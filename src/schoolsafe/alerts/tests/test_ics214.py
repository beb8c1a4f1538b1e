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
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    stamp = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$")
    assert all(r["Incident Name"].startswith("Lockdown at School A High") for r in rows)
    assert all(stamp.match(r["Operational Period From"]) and stamp.match(r["Operational Period To"]) for r in rows)
    # The period ends with the all clear.
    assert rows[0]["Operational Period To"] >= rows[0]["Operational Period From"]
    by_box = {}
    for r in rows:
        by_box.setdefault(r["Box"], []).append(r)
    (log_of,) = by_box["3-5. Log of"]
    # The log is the incident command's: the school's principal did not act, so dispatch leads here.
    assert log_of["Name"] == "Incident command: Dana Reyes"
    assert log_of["ICS Position"] == "Communications Unit (dispatch)"
    assert log_of["Home Agency (and Unit)"] == "Agency A Police"
    (prepared,) = by_box["8. Prepared by"]
    assert (prepared["Name"], prepared["Position/Title"]) == ("Dana Reyes", "Dispatch supervisor, shift B")
    assert stamp.match(prepared["Date/Time"])
    log = by_box["7. Activity Log"]
    assert [r["Kind"] for r in log] == [e.kind for e in timeline_for(incident.alert)]
    assert all(stamp.match(r["Date/Time"]) for r in log)
    assert log[-1]["Notable Activities"] == (
        "All clear given on behalf of the incident commander, Sgt. Lee, incident commander. Stay "
        "locked until an officer or administrator releases your room in person. (Dana Reyes)")
    assert [r["Name"] for r in by_box["6. Resources Assigned"]] == ["Dana Reyes", "Teacher A"]


def test_an_export_is_on_the_audit_log(api, incident, dispatcher):
    assert api(dispatcher).get(url(incident.alert.pk, "csv")).status_code == 200
    assert api(dispatcher).get(url(incident.alert.pk, "pdf")).status_code == 200
    reads = AuditEntry.objects.filter(action="alerts.read_alert").order_by("id")
    assert [(r.actor_id, r.summary["format"]) for r in reads] == [(dispatcher.pk, "csv"), (dispatcher.pk, "pdf")]
    assert {r.organization for r in reads} == {f"school:{incident.alert.school_id}"}


def test_an_ongoing_incident_runs_to_now(api, world, teacher_a, principal_a):
    alert = raise_alert(api, teacher_a, world.school_a)
    rows = list(csv.reader(io.StringIO(api(principal_a).get(url(alert.pk, "csv")).content.decode())))
    assert rows[0][3] == "Operational Period To" and rows[1][3].endswith("(ongoing)")


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
    from schoolsafe.testing.personas import client_for

    alert = raise_alert(api, teacher_a, world.school_a)
    browser = client_for(principal_a)
    response = browser.get(url(alert.pk, "pdf"))
    assert response.status_code == 200, response.content[:300]
    assert response.content.startswith(b"%PDF")


def test_26_17_the_csv_is_one_table_and_the_pdf_repeats_the_incident_on_every_page(api, world, teacher_a, principal_a,
                                                                                     sro_a, dispatcher):
    principal_a.full_name = "Pat Principal"
    principal_a.save()
    alert = raise_alert(api, teacher_a, world.school_a)
    assert api(principal_a).post(f"{ALERTS_URL}/{alert.pk}/acknowledge").status_code == 200
    assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/acknowledge").status_code == 200
    for n in range(45):  # enough entries for continuation pages
        message = {"text": f"Update {n}: units on scene"}
        assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/messages", message).status_code == 201

    content = api(principal_a).get(url(alert.pk, "csv")).content.decode()
    rows = list(csv.reader(io.StringIO(content)))
    # One header row, then rows of exactly as many fields (a spreadsheet or pandas reads one table).
    header = rows[0]
    assert header[:4] == ["Box", "Incident Name", "Operational Period From", "Operational Period To"]
    assert {len(r) for r in rows} == {len(header)}
    records = list(csv.DictReader(io.StringIO(content)))
    assert len({(r["Incident Name"], r["Operational Period From"]) for r in records}) == 1
    # Box 3: the unit the log belongs to, the incident command, with its commander; boxes 4 and 6: ICS positions.
    (log_of,) = [r for r in records if r["Box"] == "3-5. Log of"]
    assert log_of["Name"] == "Incident command: Pat Principal"
    assert log_of["ICS Position"] == "Incident Commander (school)"
    positions = {r["Name"]: r["ICS Position"] for r in records if r["Box"] == "6. Resources Assigned"}
    assert positions["Pat Principal"] == "Incident Commander (school)"
    assert positions["Dispatcher A"] == "Communications Unit (dispatch)"
    assert positions["Teacher A"] == "Operations: student care (classroom)"

    pdf = PdfReader(io.BytesIO(api(principal_a).get(url(alert.pk, "pdf")).content))
    assert len(pdf.pages) >= 2
    name = records[0]["Incident Name"]
    for page in pdf.pages[1:]:
        text = flat(page.extract_text())
        assert f"1. Incident Name: {name}" in text
        assert f"2. Operational Period: From {records[0]['Operational Period From']}" in text
    first = flat(pdf.pages[0].extract_text())
    assert "Incident command: Pat Principal" in first and "Incident Commander (school)" in first


NAMES = ("Nguyễn Thị Ánh", "李明", "Łukasz Wróbel")


def test_26_16_names_in_any_script_print_in_the_ics_214(api, world, teacher_a, principal_a, dispatcher):
    for user, name in zip((teacher_a, dispatcher, principal_a), NAMES, strict=True):
        user.full_name = name
        user.save()
    alert = raise_alert(api, teacher_a, world.school_a, reason="Nguyễn Thị Ánh saw a man at gate 李")
    assert api(dispatcher).post(f"{ALERTS_URL}/{alert.pk}/acknowledge").status_code == 200
    assert api(principal_a).post(f"{ALERTS_URL}/{alert.pk}/acknowledge").status_code == 200

    data = api(principal_a).get(url(alert.pk, "pdf")).content

    reader = PdfReader(io.BytesIO(data))
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    for name in NAMES:
        assert name in text, name
    assert "■" not in text
    # The fonts are embedded (from packages, not the system's).
    fonts = {str(font["/BaseFont"]): font for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    for embedded in ("/AAAAAA+NotoSans-Regular", "/AAAAAA+WenQuanYiMicroHei-0"):
        assert "/FontFile2" in fonts[embedded]["/FontDescriptor"], fonts
