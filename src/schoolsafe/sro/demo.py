"""The SRO program's demo data for the demo county."""

from __future__ import annotations

from typing import Any


def load_program(county: Any) -> bool:
    """Assignments and a term of activity."""
    return False


def load_mou(county: Any) -> bool:
    """The MOU between the city police and the district: signed by both sides, its review date 20 days away,
    so the register shows it "due for review"."""
    import datetime as dt

    from django.utils import timezone

    from schoolsafe.sro.actions import do_add_signatory, do_create_mou, do_mark_mou_signed
    from schoolsafe.sro.models import Mou

    agency = county.agencies["Cedar Falls Police Department"]
    if Mou.objects.filter(agency=agency, district=county.district).exists():
        return False
    today = timezone.localdate()
    actor = county.users["agencyadmin"]
    mou = do_create_mou(actor, agency=agency, district=county.district,
                        title="School Resource Officer Program MOU: Cedar Falls Police Department and Pine Ridge "
                              "County Public Schools",
                        effective_date=today - dt.timedelta(days=700), expiry_date=today + dt.timedelta(days=395),
                        review_date=today + dt.timedelta(days=20))
    do_add_signatory(actor, mou, name="Chief Daniel Ortiz", title="Chief of Police", side="agency",
                     signed_on=today - dt.timedelta(days=705))
    do_add_signatory(actor, mou, name="Dr. Renee Castillo", title="District safety director", side="district",
                     signed_on=today - dt.timedelta(days=703))
    do_mark_mou_signed(actor, mou)
    return True


def load_referrals(county: Any) -> bool:
    """Enrolment by group and enough referrals for the equity dashboard."""
    return False


def load_demo(county: Any) -> bool:
    created = load_program(county)
    created = load_mou(county) or created
    return load_referrals(county) or created
