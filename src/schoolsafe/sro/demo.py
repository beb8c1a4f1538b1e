"""The SRO program's demo data for the demo county."""

from __future__ import annotations

from typing import Any


def load_program(county: Any) -> bool:
    """Assignments and a term of activity."""
    return False


def load_mou(county: Any) -> bool:
    """The MOU between the city police and the district, due for review."""
    return False


def load_referrals(county: Any) -> bool:
    """Enrolment by group and enough referrals for the equity dashboard."""
    from schoolsafe.sro.demo_referrals import load

    return load(county)


def load_demo(county: Any) -> bool:
    created = load_program(county)
    created = load_mou(county) or created
    return load_referrals(county) or created
