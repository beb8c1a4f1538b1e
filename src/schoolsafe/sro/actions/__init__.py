"""Every write to the SRO program: one module per part (`program`: assignments and activity; `mou`;
`referrals`: referrals and enrolment). Other apps and the pages import from `schoolsafe.sro.actions`."""

from schoolsafe.sro.actions.mou import *  # noqa: F401,F403
from schoolsafe.sro.actions.program import *  # noqa: F401,F403
from schoolsafe.sro.actions.referrals import *  # noqa: F401,F403
