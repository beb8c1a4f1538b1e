from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "schoolsafe.notifications"
    verbose_name = "Notification channels"

    def ready(self) -> None:
        # Registers the channel rows in the access policy table.
        from schoolsafe.notifications import policies  # noqa: F401
