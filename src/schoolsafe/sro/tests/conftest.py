"""The sro app's test helpers."""

from __future__ import annotations

from typing import Any

# --- sro equity ---


def demo_county() -> Any:
    """The demo county as its loaders receive it, rebuilt from the database (after `load_demo()`)."""
    from schoolsafe.accounts.county import DEMO_LOGINS, DISTRICT, DemoCounty
    from schoolsafe.accounts.models import User
    from schoolsafe.core.models import Agency, District, School

    district = District.objects.get(name=DISTRICT)
    return DemoCounty(district=district, agencies={a.name: a for a in Agency.objects.all()},
                      schools={s.name: s for s in School.objects.filter(district=district)},
                      users={u.username: u for u in User.objects.filter(username__in=[n for n, _ in DEMO_LOGINS])})
