"""The coverage computation, from rows alone: whole and partial gaps, double assignments, and training."""

from __future__ import annotations

import datetime as dt

import pytest

from schoolsafe.sro import reads
from schoolsafe.sro.coverage import Block, Posting, SchoolRow, compute, uncovered

MONDAY = dt.date(2026, 9, 14)


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def posting(pk: int, person: int, school: int, blocks: list[tuple[int, str, str]], name: str = "Pat Lee",
            training: list[str] | None = None, start: dt.date = dt.date(2026, 8, 10),
            end: dt.date | None = None) -> Posting:
    return Posting(pk, person, name, "sro", "School resource officer", "primary", school, start, end,
                   tuple(Block(d, t(s), t(e)) for d, s, e in blocks), training)


SCHOOLS = [SchoolRow(1, "Alpha High"), SchoolRow(2, "Beta Middle")]


def reasons(coverage, kind=None):
    return [g.reason for g in coverage.gaps if kind is None or g.kind == kind]


def test_uncovered_parts_of_a_window():
    window = (t("07:30"), t("14:30"))
    assert uncovered(window, []) == [window]
    assert uncovered(window, [(t("07:00"), t("15:00"))]) == []
    assert uncovered(window, [(t("09:00"), t("10:00")), (t("09:30"), t("12:00"))]) == [
        (t("07:30"), t("09:00")), (t("12:00"), t("14:30"))]


def test_whole_and_partial_gaps_during_instruction_are_named_with_the_day_and_hours():
    coverage = compute(MONDAY, SCHOOLS, [
        posting(1, 10, 1, [(d, "07:00", "15:00") for d in range(4)] + [(4, "07:30", "12:00")]),
        posting(2, 11, 2, [(0, "07:30", "14:30")]),
    ])
    assert reasons(coverage, "instruction") == [
        "no coverage during instruction hours (Fri 12:00–14:30)",
        "no coverage during instruction hours (Tue 07:30–14:30)",
        "no coverage during instruction hours (Wed 07:30–14:30)",
        "no coverage during instruction hours (Thu 07:30–14:30)",
        "no coverage during instruction hours (Fri 07:30–14:30)",
    ]
    assert coverage.status(1) == "gap" and coverage.status(2) == "gap"
    assert [e.hours for e in coverage.cells[(1, 0)]] == ["07:00–15:00"]


def test_a_school_with_its_own_hours_and_an_assignment_not_yet_begun():
    school = SchoolRow(1, "Alpha High", hours={2: (t("09:00"), t("12:00"))})
    later = posting(1, 10, 1, [(2, "09:00", "12:00")], start=MONDAY + dt.timedelta(days=7))
    assert reasons(compute(MONDAY, [school], [later]), "instruction") == [
        "no coverage during instruction hours (Wed 09:00–12:00)"]
    assert compute(MONDAY + dt.timedelta(days=7), [school], [later]).status(1) == "covered"


def test_an_officer_posted_twice_at_once():
    coverage = compute(MONDAY, SCHOOLS, [
        posting(1, 10, 1, [(0, "07:30", "10:00")], name="Officer X"),
        posting(2, 10, 2, [(0, "09:00", "14:30")], name="Officer X"),
        # Back to back is not twice at once.
        posting(3, 12, 1, [(1, "07:30", "11:00")], name="Officer Y"),
        posting(4, 12, 2, [(1, "11:00", "14:30")], name="Officer Y"),
    ])
    assert reasons(coverage, "double") == [
        "Officer X assigned twice at once (Mon 09:00–10:00 at Alpha High and Beta Middle)"]
    assert [g.school_ids for g in coverage.gaps if g.kind == "double"] == [(1, 2)]


def test_training_is_unknown_without_a_check_and_said_by_the_check_once_registered(world):
    coverage = compute(MONDAY, SCHOOLS, [posting(1, 10, 1, [(0, "07:30", "14:30")])])
    assert reasons(coverage, "training") == ["training unknown for Pat Lee (School resource officer at Alpha High)"]
    expired = compute(MONDAY, SCHOOLS, [posting(1, 10, 1, [(0, "07:30", "14:30")], training=["Firearms 2026"])])
    assert reasons(expired, "training") == [
        "training missing or expired for Pat Lee (School resource officer at Alpha High): Firearms 2026"]
    current = compute(MONDAY, SCHOOLS, [posting(1, 10, 1, [(0, "07:30", "14:30")], training=[])])
    assert reasons(current, "training") == []


@pytest.mark.django_db
def test_a_registered_training_check_is_what_the_board_reads():
    def check(user, assignment_type):
        return ["Active assailant response"] if assignment_type == "sro" else None

    assert reads.training_status(None, "sro") is None
    reads.register_training_check(check)
    try:
        assert reads.training_status(None, "sro") == ["Active assailant response"]
        assert reads.training_status(None, "guardian") is None
    finally:
        reads.unregister_training_check(check)
    assert reads.training_status(None, "sro") is None


@pytest.mark.django_db
def test_a_principal_sets_the_schools_hours_and_the_board_measures_against_them(world, principal_a, teacher_a,
                                                                                supervisor_a):
    from schoolsafe.audit.models import AuditEntry
    from schoolsafe.sro.coverage import load_week
    from schoolsafe.sro.models import InstructionHours
    from schoolsafe.testing.personas import client_for

    url = f"/sro/coverage/schools/{world.school_a.pk}/hours/"
    client = client_for(principal_a)
    refused = client.post(url, {"hours": "Mon 08:00-15:00\nMon 09:00-10:00"})
    assert refused.status_code == 400 and "overlap" in refused.context["form"].errors["hours"][0]
    assert client.post(url, {"hours": "Tue 14:00-08:00"}).status_code == 400
    assert not InstructionHours.objects.exists()
    assert client.post(url, {"hours": "Mon 08:00-15:00\nWed 08:00-12:00"}).status_code == 302
    assert AuditEntry.objects.filter(action="sro.set_instruction_hours").count() == 1
    gaps = [g.reason for g in load_week(principal_a, MONDAY).gaps if g.kind == "instruction"]
    assert gaps == ["no coverage during instruction hours (Mon 08:00–15:00)",
                    "no coverage during instruction hours (Wed 08:00–12:00)"]
    # A teacher sees no such page; the police see the board but do not set a school's hours.
    assert client_for(teacher_a).get(url).status_code == 404
    assert client_for(supervisor_a).post(url, {"hours": ""}).status_code == 403
