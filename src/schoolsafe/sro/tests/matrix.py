"""The permission matrix's object builders for the SRO program (protocol: core/tests/matrix.py). Each part adds
its models in its own section."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schoolsafe.core.tests.matrix import Spec

MATRIX: dict[str, Spec] = {}


# --- MOU register ---


def _mou(school: Any, user: Any = None) -> Any:
    from schoolsafe.sro.models import Mou

    return Mou.objects.create(agency=school.agencies.order_by("pk").first(), district=school.district,
                              title=f"MOU of {school.district.name}", effective_date=dt.date(2025, 8, 1))


MATRIX["sro.mou"] = Spec(build=_mou)
