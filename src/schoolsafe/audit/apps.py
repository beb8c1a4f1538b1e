from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "schoolsafe.audit"
    verbose_name = "Audit log"
