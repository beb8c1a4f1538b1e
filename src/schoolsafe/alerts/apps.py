from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "schoolsafe.alerts"
    verbose_name = "Emergency alerts"

    def ready(self) -> None:
        # Registers the alert rows in the access policy table.
        from schoolsafe.alerts import policies  # noqa: F401
        from schoolsafe.alerts.serialize import LOCKED_SCREEN_KINDS, alert_headline
        from schoolsafe.events.locked import register_locked_kinds

        # Delivery never depends on an active session: a locked screen still gets these, as headlines.
        register_locked_kinds(LOCKED_SCREEN_KINDS, alert_headline)
