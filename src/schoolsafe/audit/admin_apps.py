"""The Django admin's app config, with `admin.site` an AuditedAdminSite (in its own module: an apps module
holding two AppConfig classes would make Django choose between them)."""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    """django.contrib.admin, whose every write and every record opened is written to the audit chain."""

    default_site = "schoolsafe.audit.admin_site.AuditedAdminSite"
