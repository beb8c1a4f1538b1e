"""What other apps may read of a school's plan: its Standard Response Protocol wording, its 24/7 contacts and
its site map's features.

The alert pages read them here (the directive a teacher sees, the numbers to call, the map of the building);
each is computed in its own module of this app.
"""

from schoolsafe.plans.contacts import contact_list, phones_of
from schoolsafe.plans.sitemap import features_for
from schoolsafe.plans.srp import directives_for, locations, protocol_for, shelter_strategies_for

__all__ = [
    "contact_list", "directives_for", "features_for", "locations", "phones_of", "protocol_for",
    "shelter_strategies_for",
]
