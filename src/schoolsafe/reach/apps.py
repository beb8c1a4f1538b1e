from django.apps import AppConfig


class ReachConfig(AppConfig):
    name = "schoolsafe.reach"
    verbose_name = "Reaching people with no page open (Web Push, fallback)"
