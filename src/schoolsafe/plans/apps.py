from schoolsafe import registry
from schoolsafe.registry import NavEntry, UrlMount


class PlansConfig(registry.CapabilityConfig):
    name = "schoolsafe.plans"
    label = "plans"
    verbose_name = "Emergency operations plans and site maps"
    urls = (UrlMount("", "schoolsafe.plans.urls", order=900),)
    api_routers = ("schoolsafe.plans.api:router",)
    api_order = 60
    commands = "schoolsafe.plans.commands"
    demo_loader = "schoolsafe.plans.demo:load_demo"
    demo_order = 20
    nav = (NavEntry("Emergency plans", "plans-dashboard", order=50, permission=("plans.plan", "view")),)

    def ready(self) -> None:
        # Registers the app's models in the access policy table.
        from schoolsafe.plans import policies  # noqa: F401
