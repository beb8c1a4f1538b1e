from schoolsafe import registry
from schoolsafe.registry import NavEntry, UrlMount


class CoreConfig(registry.CapabilityConfig):
    name = "schoolsafe.core"
    # Last: its "" mount holds the home page and the schools.
    urls = (UrlMount("", "schoolsafe.core.urls", order=1000),)
    api_routers = ("schoolsafe.core.api:router",)
    api_order = 20
    nav = (NavEntry("My schools", "home", order=10),)

    def ready(self) -> None:
        from schoolsafe.core import policies  # noqa: F401 - registers the organizations in the access policy
