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
        # --- sro equity ---
        NavEntry("Referral equity", "sro:equity", order=72, permission=("core.school", "sro_equity"),
                 needs_membership=True),
    )

    def ready(self) -> None:
        # Registers the app's models in the access policy table.
        from schoolsafe.sro import policies  # noqa: F401
