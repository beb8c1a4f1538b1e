"""Demo accounts come with an authenticator already set up, so every role can be tried without a phone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from schoolsafe.accounts.mfa import demo_totp_key
from schoolsafe.accounts.models import User

if TYPE_CHECKING:
    from schoolsafe.accounts.county import DemoCounty


def enrol_demo_authenticators(users: Iterable[User]) -> bool:
    """Give each demo user the TOTP device whose codes `schoolsafe demo-otp USER` prints; True if any was added."""
    from schoolsafe.accounts.actions import do_enrol_demo_totp

    added = False
    for user in users:
        added |= do_enrol_demo_totp("schoolsafe demo", user, demo_totp_key(user.username))
    return added


def load_demo(county: DemoCounty) -> bool:
    """The registry's demo loader (schoolsafe.registry): an authenticator for every demo login."""
    return enrol_demo_authenticators(User.objects.filter(username__in=county.logins))
