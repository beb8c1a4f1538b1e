from schoolsafe import registry
from schoolsafe.registry import NavEntry, UrlMount


class SroConfig(registry.CapabilityConfig):
    name = "schoolsafe.sro"
    label = "sro"
    verbose_name = "School resource officer program"
    urls = (UrlMount("sro/", "schoolsafe.sro.urls", order=70),)
    api_routers = ("schoolsafe.sro.api:router", "schoolsafe.sro.api_mou:router", "schoolsafe.sro.api_referrals:router")
    api_order = 70
    demo_loader = "schoolsafe.sro.demo:load_demo"
    demo_order = 60
    nav = (
        NavEntry("SRO coverage", "sro:coverage", order=70, permission=("core.school", "sro_coverage"),
                 needs_membership=True),
        NavEntry("SRO activity", "sro:activity", order=71, permission=("sro.activityentry", "view"),
                 needs_membership=True),
        NavEntry("Referral equity", "sro:equity", order=72, permission=("core.school", "sro_equity"),
                 needs_membership=True),
        NavEntry("MOUs", "sro:mou-list", order=73, permission=("sro.mou", "view")),
    )
    # The MOU register's review reminders.
    worker_loops = ("schoolsafe.sro.tasks:start_mou_review_scanner",)

    def ready(self) -> None:
        # Registers the app's models in the access policy table.
        from schoolsafe.sro import policies  # noqa: F401
