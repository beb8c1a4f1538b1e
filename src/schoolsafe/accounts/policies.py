"""The accounts app's row of the access policy: who registers an agency's receive-only terminals.

Receive-only terminals (dispatch consoles exempt from the idle lock) are registered by the agency's
administrators: the action "terminals" of `core.agency`, which the navigation and the terminals page both
ask (`Agency.objects.restrict(user, "terminals")`: the agencies where the user is an administrator).
"""

from __future__ import annotations

from schoolsafe.access.policy import register

TERMINAL_ISSUERS = frozenset({"agency_admin"})

register("core.agency", {"terminals": TERMINAL_ISSUERS})
