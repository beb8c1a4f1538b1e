from schoolsafe import registry
from schoolsafe.registry import NavEntry, UrlMount


class ThreatsConfig(registry.CapabilityConfig):
    name = "schoolsafe.threats"
    label = "threats"
    verbose_name = "Threat assessment"
    urls = (UrlMount("threats/", "schoolsafe.threats.urls", order=40),)
    api_routers = ("schoolsafe.threats.api:router",)
    api_order = 80
    commands = "schoolsafe.threats.commands"
    demo_loader = "schoolsafe.threats.demo:load_demo"
    demo_order = 30
    nav = (
        NavEntry("Threat assessment", "threats:dashboard", order=60, permission=("threats.case", "view")),
        # The referral form for any adult of a school; the counts for those who oversee the teams.
        NavEntry("Refer a concern", "threats:refer", order=70, permission=("threats.case", "refer")),
        NavEntry("Threat-assessment counts", "threats:report", order=80, permission=("threats.case", "report"),
                 needs_membership=True),
    )
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The policy table learns this app's models when the app loads.
        from schoolsafe.threats import policies  # noqa: F401
