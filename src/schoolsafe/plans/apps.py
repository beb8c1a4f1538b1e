from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "schoolsafe.plans"
    label = "plans"
    verbose_name = "Emergency operations plans and site maps"

    def ready(self) -> None:
        # Registers the app's models in the access policy table.
        from schoolsafe.plans import policies  # noqa: F401
