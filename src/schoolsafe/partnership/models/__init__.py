"""The partnership's records: one module per part (`meetings`: joint meetings and action items;
`agreements`: information-sharing agreements and the 24/7 contact directory)."""

from schoolsafe.partnership.models.agreements import *  # noqa: F401,F403
from schoolsafe.partnership.models.meetings import *  # noqa: F401,F403
