from schoolsafe import registry
from schoolsafe.registry import NavEntry, UrlMount


class AuditConfig(registry.CapabilityConfig):
    name = "schoolsafe.audit"
    verbose_name = "Audit log"
    urls = (UrlMount("audit/", "schoolsafe.audit.urls", order=20),)
    commands = "schoolsafe.audit.commands"
    nav = (NavEntry("Audit log", "audit-log", order=110, permission=("audit.auditentry", "view")),)

    def ready(self) -> None:
        from schoolsafe.audit import policies  # noqa: F401 - registers the audit log in the access policy
