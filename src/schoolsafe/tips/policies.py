"""Who may do what with tips (need-to-know; the rules of reach are in `Tip.policy_restrict`).

- view: the tip analysts of the tip's district or of an agency serving its school; and whoever the tip
  was routed to: the school's administrators, the serving agencies' dispatchers and police supervisors,
  the school's (or district's) threat-assessment team.
- change (triage: claim, message, note, flag, route, close): the tip analysts.
- report (the annual report's counts): tip analysts and district safety directors.
- acknowledge_dispatch: the serving agencies' dispatchers and police supervisors, for tips routed to police.
"""

from __future__ import annotations

from schoolsafe.audit.models import need_to_know
from schoolsafe.core.policy import register

ANALYSTS = frozenset({"tip_analyst"})
ROUTED_READERS = frozenset({"school_admin", "dispatcher", "police_supervisor", "ta_member"})

register("tips.tip", {
    "view": ANALYSTS | ROUTED_READERS,
    "change": ANALYSTS,
    "report": ANALYSTS | {"district_director"},
    # Dispatch acknowledges a tip sent to it (the console's tone stops); only tips routed to police reach them.
    "acknowledge_dispatch": frozenset({"dispatcher", "police_supervisor"}),
})
# A tip's audit rows (its code, category, who handled it) are shown only to who may see the tip.
need_to_know("tips.tip")
