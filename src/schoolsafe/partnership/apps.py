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
        NavEntry("Partnership meetings", "partnership:meeting-list", order=72,
                 permission=("partnership.jointmeeting", "view"), needs_membership=True),
        NavEntry("Sharing agreements", "partnership:agreement-list", order=75,
                 permission=("partnership.sharingagreement", "view")),
        NavEntry("24/7 directory", "partnership:directory-index", order=76,
                 permission=("partnership.directoryentry", "view")),
    )
    # Joint meetings and action items: the action-item reminders.
    worker_loops = ("schoolsafe.partnership.tasks:start_reminder_scanner",)

    def ready(self) -> None:
        # Registers the app's models in the access policy table.
        from schoolsafe.partnership import policies  # noqa: F401
