from django.apps import AppConfig


class ThreatsConfig(AppConfig):
    name = "schoolsafe.threats"
    label = "threats"
    verbose_name = "Threat assessment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The policy table learns this app's models when the app loads.
        from schoolsafe.threats import policies  # noqa: F401
