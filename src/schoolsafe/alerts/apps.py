from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "schoolsafe.alerts"
    verbose_name = "Emergency alerts"

    def ready(self) -> None:
        # Registers the alert rows in the access policy table.
        from schoolsafe.alerts import policies  # noqa: F401
