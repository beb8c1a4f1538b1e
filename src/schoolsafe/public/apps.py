from schoolsafe import registry
from schoolsafe.registry import UrlMount


class PublicConfig(registry.CapabilityConfig):
    name = "schoolsafe.public"
    verbose_name = "Public portal"
    # The public portal: no sign-in, open to anyone (the MFA/session rules apply to signed-in users only).
    urls = (UrlMount("public/", "schoolsafe.public.urls", order=70),)
    demo_loader = "schoolsafe.public.demo:load_demo"
    demo_order = 40

    def ready(self) -> None:
        from schoolsafe.public import policies  # noqa: F401 - registers campaigns and events in the access policy
