"""The demo county's MOU, information-sharing agreement and 24/7 directory: what the brief asks to show, and
idempotent loaders."""

from __future__ import annotations

import pytest
from django.utils import timezone

from schoolsafe.accounts.county import DemoCounty, load_demo
from schoolsafe.accounts.models import User
from schoolsafe.core.models import Agency, District, School
from schoolsafe.partnership.demo import load_agreements
from schoolsafe.partnership.models import DirectoryEntry, SharingAgreement
from schoolsafe.partnership.reads import directory_for_school
from schoolsafe.sro.demo import load_mou
from schoolsafe.sro.models import Mou

pytestmark = pytest.mark.django_db


def county() -> DemoCounty:
    return DemoCounty(district=District.objects.get(name="Pine Ridge County Public Schools"),
                      agencies={a.name: a for a in Agency.objects.all()}, schools={s.name: s for s in School.objects.all()},
                      users={u.username: u for u in User.objects.all()})


def test_the_demo_mou_agreement_and_directory():
    load_demo()
    today = timezone.localdate()
    mou = Mou.objects.get(agency__name="Cedar Falls Police Department")
    assert mou.status == Mou.Status.SIGNED and mou.due_for_review(today)
    assert 0 < (mou.review_date - today).days <= 30
    agreement = SharingAgreement.objects.get()
    assert agreement.legal_basis == "ferpa_health_safety" and agreement.standing(today) == "active"
    school = School.objects.get(name="Cedar Falls High School")
    entries = DirectoryEntry.objects.filter(school=school) | DirectoryEntry.objects.filter(
        agency__name="Cedar Falls Police Department")
    stale = [e.name for e in entries if e.is_stale(today)]
    assert stale == ["Ray Dunn"]
    assert entries.filter(kind="psap", psap_name="Pine Ridge County 911 Communications").count() == 1
    assert "911 shift supervisor" in [r["name"] for r in directory_for_school(school)]
    # A second run adds nothing.
    counts = (Mou.objects.count(), SharingAgreement.objects.count(), DirectoryEntry.objects.count())
    assert load_mou(county()) is False and load_agreements(county()) is False
    load_demo()
    assert (Mou.objects.count(), SharingAgreement.objects.count(), DirectoryEntry.objects.count()) == counts
