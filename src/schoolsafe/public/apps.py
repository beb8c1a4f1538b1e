from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "schoolsafe.public"
    verbose_name = "Public portal"

    def ready(self) -> None:
        from schoolsafe.public import policies  # noqa: F401 - registers campaigns and events in the access policy
