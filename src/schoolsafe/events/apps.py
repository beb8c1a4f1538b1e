from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "schoolsafe.events"
    verbose_name = "Events and real-time delivery"
