"""The SRO program's records: one module per part (`program`: assignments and the activity log; `mou`:
memoranda of understanding; `referrals`: referrals, citations and arrests of students, and the enrolment
they are measured against)."""

from schoolsafe.sro.models.mou import *  # noqa: F401,F403
from schoolsafe.sro.models.program import *  # noqa: F401,F403
from schoolsafe.sro.models.referrals import *  # noqa: F401,F403
