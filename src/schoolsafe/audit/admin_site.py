"""The Django admin, with every write and every page a person opens written to the audit chain.

The admin site reaches every table, so what is done there must be as visible as what is done on the
pages: CJIS Security Policy 6 AU-2 (audit events) and AU-3 (who, what, when, which record). The admin's
own history (`LogEntry`) is an ordinary table that a superuser can edit; the audit chain is not.

`AuditedAdminSite` is the project's default admin site (`schoolsafe.audit.admin_apps.AuditedAdminConfig`
in INSTALLED_APPS), so every `ModelAdmin` registered with it, ours and third-party ones (django-otp's
devices, axes' attempts) alike, gets `AuditedModelAdminMixin`:

- writes: the admin calls `log_addition`, `log_change` (also for inline rows and password changes) and
  `log_deletions` for everything it changes, inside the transaction of the change; each also writes an
  audit row (`admin.added`, `admin.changed`, `admin.deleted`) with the admin's own description of the change
  (field names and the inline rows added, changed or deleted; never field values);
- reads: opening a record's page writes `admin.viewed`, and a list page `admin.listed` with its filters.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from schoolsafe.access.orgkey import OrgKey

_ORG_KINDS = ("school", "district", "agency")


def organization_for(obj: Model | None) -> str:
    """The audit row's organization for an object shown in the admin: the school, district or agency it
    belongs to (or is), so that that organization's administrators see what was done to it; else ""."""
    from schoolsafe.audit.log import organization_of

    if obj is None:
        return ""
    if obj._meta.model_name in _ORG_KINDS:
        return str(OrgKey(obj._meta.model_name, obj.pk))
    for kind in _ORG_KINDS:
        org_id = getattr(obj, f"{kind}_id", None)
        if org_id:
            return str(OrgKey(kind, org_id))
    memberships = getattr(obj, "memberships", None)
    if memberships is not None and hasattr(memberships, "order_by"):
        # A person: the organization of their first membership.
        first = memberships.order_by("pk").first()
        if first is not None:
            return organization_for(first)
    return organization_of(obj)


class AuditedModelAdminMixin:
    """Writes an audit row for every change made and every record opened through this ModelAdmin."""

    model: type[Model]

    def _audit(self, request: HttpRequest, action: str, obj: Model | None, summary: dict[str, Any]) -> None:
        from schoolsafe.audit.log import record

        summary = {"via": "admin", "model": self.model._meta.label_lower, **summary}
        if obj is None:
            record(request.user, action, None, object_type=self.model._meta.label_lower, summary=summary)
        else:
            record(request.user, action, obj, organization=organization_for(obj), summary=summary)

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        self._audit(request, "admin.added", obj, {"changes": message})
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        self._audit(request, "admin.changed", obj, {"changes": message})
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # Called before the rows go, so each is still there to be named.
        objects = list(queryset)
        entries = super().log_deletions(request, objects)  # type: ignore[misc]
        for obj in objects:
            self._audit(request, "admin.deleted", obj, {})
        return entries

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            if obj is not None:
                self._audit(request, "admin.viewed", obj, {})
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            filters = {key: value[:200] for key, value in list(request.GET.items())[:20]}
            self._audit(request, "admin.listed", None, {"filters": filters})
        return response


class AuditedAdminSite(admin.AdminSite):
    """The admin site whose every registered ModelAdmin is audited (see the module's docstring)."""

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedModelAdminMixin):
            admin_class = type(admin_class.__name__, (AuditedModelAdminMixin, admin_class),
                               {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__})
        super().register(model_or_iterable, admin_class, **options)
