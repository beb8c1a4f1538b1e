"""Public statistics (counts under 10 suppressed) and the annual report export."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.test import Client
from django.utils import timezone

from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.personas import client_for
from schoolsafe.tips.models import Tip
from schoolsafe.tips.tests.factories import TipFactory


def in_month(year: int, month: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, 15, 12, 0))


def test_the_statistics_page_suppresses_counts_under_10(world):
    year = timezone.localdate().year - 1
    for _ in range(12):
        TipFactory(school=world.school_a, category="bullying", received_at=in_month(year, 3))
    for _ in range(3):
        TipFactory(school=world.school_a, category="weapon", received_at=in_month(year, 3))
    response = Client().get("/public/en/statistics/", {"year": year, "district": world.district_a.pk})
    page = response.content.decode()
    assert response.status_code == 200 and not response.cookies
    bullying_row = page.split(">Bullying</th>")[1].split("</tr>")[0]
    weapon_row = page.split(">Weapon</th>")[1].split("</tr>")[0]
    assert "<td>12</td>" in bullying_row
    assert "<td>3</td>" not in weapon_row and "fewer than 10" in weapon_row
    # No total that would give the hidden number back.
    assert ">15<" not in page
    spanish = Client().get("/public/es/statistics/", {"year": year, "district": world.district_a.pk}).content.decode()
    assert "menos de 10" in spanish and "Acoso" in spanish


def test_the_statistics_page_refuses_unknown_choices(world):
    TipFactory(school=world.school_a)
    assert Client().get("/public/en/statistics/", {"year": 1900}).status_code == 404
    assert Client().get("/public/en/statistics/", {"district": 999999}).status_code == 404


def test_the_annual_report_counts_categories_outcomes_first_action_and_false_reports(world, analyst_a, director_a):
    year = timezone.localdate().year
    received = timezone.now() - dt.timedelta(hours=3)
    TipFactory(school=world.school_a, category="weapon", received_at=received, outcome="prank", status="closed",
               closed_at=timezone.now(), first_action_at=received + dt.timedelta(minutes=10))
    TipFactory(school=world.school_a, category="bullying", received_at=received, possibly_malicious=True,
               first_action_at=received + dt.timedelta(minutes=30))
    TipFactory(school=world.school_a2, category="bullying", received_at=received, source="phone")
    TipFactory(school=world.school_b, category="drugs", received_at=received)  # another district
    for user in (analyst_a, director_a):
        response = client_for(user).get("/tips/reports/annual.csv", {"year": year})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = {(r["section"], r["item"]): r["value"] for r in csv.DictReader(io.StringIO(response.content.decode()))}
        assert rows[("total", "tips received")] == "3"
        assert rows[("tips by category", "Bullying")] == "2" and rows[("tips by category", "Drugs")] == "0"
        assert rows[("tips by source", "Phone call (entered by staff)")] == "1"
        assert rows[("outcomes", "Prank or deliberately false report")] == "1"
        assert rows[("outcomes", "still open")] == "2"
        assert rows[("time to first action (minutes)", "median")] == "20.0"
        assert rows[("false reports", "closed as prank or deliberately false")] == "1"
        assert rows[("false reports", "flagged possibly malicious")] == "1"
    assert AuditEntry.objects.filter(action="tips.export_annual_report").count() == 2
    assert Tip.objects.count() == 4


def test_the_annual_report_is_not_for_everyone(world, teacher_a, principal_a):
    for user in (teacher_a, principal_a):
        assert client_for(user).get("/tips/reports/annual.csv").status_code == 404
