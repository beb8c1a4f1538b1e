from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "schoolsafe.audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from schoolsafe.audit import policies  # noqa: F401 - registers the audit log in the access policy
