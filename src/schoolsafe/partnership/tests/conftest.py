"""Fixtures of the partnership tests."""

# --- Joint meetings and action items: both sides of the partnership of district A and agency A ---------------
from schoolsafe.partnership.tests.meetings_cast import *  # noqa: F401,F403
