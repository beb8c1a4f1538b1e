"""Every write to the partnership records: one module per part (`meetings`, `agreements`). Other apps and
the pages import from `schoolsafe.partnership.actions`."""

from schoolsafe.partnership.actions.agreements import *  # noqa: F401,F403
from schoolsafe.partnership.actions.meetings import *  # noqa: F401,F403
