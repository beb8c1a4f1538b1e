from schoolsafe import registry
from schoolsafe.registry import NavEntry, UrlMount


class PartnershipConfig(registry.CapabilityConfig):
    name = "schoolsafe.partnership"
    label = "partnership"
    verbose_name = "Police–school partnership"
    urls = (UrlMount("partnership/", "schoolsafe.partnership.urls", order=72),)
    api_routers = ("schoolsafe.partnership.api:router", "schoolsafe.partnership.api_agreements:router")
    api_order = 72
    demo_loader = "schoolsafe.partnership.demo:load_demo"
    demo_order = 62
    nav = (
        # --- Information-sharing agreements and the 24/7 contact directory ---
        NavEntry("Sharing agreements", "partnership:agreement_list", order=75,
                 permission=("partnership.sharingagreement", "view")),
        NavEntry("24/7 directory", "partnership:directory_index", order=76,
                 permission=("partnership.directoryentry", "view")),
    )

    def ready(self) -> None:
        # Registers the app's models in the access policy table.
        from schoolsafe.partnership import policies  # noqa: F401
