from schoolsafe import registry
from schoolsafe.registry import NavEntry, UrlMount


class NotificationsConfig(registry.CapabilityConfig):
    name = "schoolsafe.notifications"
    verbose_name = "Notification channels"
    urls = (UrlMount("notifications/", "schoolsafe.notifications.urls", order=30),)
    api_routers = ("schoolsafe.notifications.api:router",)
    api_order = 40
    worker_loops = ("schoolsafe.notifications.tasks:start_delivery_runner",)
    nav = (NavEntry("Notifications", "notifications-channels", order=120,
                    permission=("notifications.notificationchannel", "view"), needs_membership=True),)

    def ready(self) -> None:
        from schoolsafe.events.consumers import register_consumer
        from schoolsafe.notifications import policies  # noqa: F401 - registers the channel rows in the policy table
        from schoolsafe.notifications.actions import notifies, notify_event

        # Every event whose kind declares a notice (its app's event_kinds.py) goes out through the channels
        # of the organizations the emitting action names; no app calls the notifications itself.
        register_consumer(notifies, notify_event)
