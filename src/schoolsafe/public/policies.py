"""Who manages the public portal's campaigns and events: community liaisons, program coordinators,
district directors and agency administrators, each for their own district or agency. Reading
published content needs no role at all (it is public) and does not go through the policy."""

from __future__ import annotations

from schoolsafe.core.policy import register
from schoolsafe.public.models import PUBLISHERS

register("public.campaign", {"view": PUBLISHERS, "change": PUBLISHERS})
register("public.publicevent", {"view": PUBLISHERS, "change": PUBLISHERS})
