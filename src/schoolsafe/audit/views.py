"""The audit log page: administrators search the rows of their organizations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from schoolsafe.access.loaders import NotVisible
from schoolsafe.access.orgkey import KINDS, OrgKey, organization_model
from schoolsafe.access.policy import memberships
from schoolsafe.audit.log import record
from schoolsafe.audit.models import AuditEntry
from schoolsafe.audit.policies import AUDIT_READERS, may_read_audit_log, organization_keys

PER_PAGE = 50


def _names(keys: set[str]) -> dict[str, str]:
    """Organization names for "kind:id" keys, one query per kind."""
    by_kind: dict[str, list[int]] = {}
    for key in keys:
        kind, _, pk = key.partition(":")
        if kind in KINDS and pk.isdigit():
            by_kind.setdefault(kind, []).append(int(pk))
    names: dict[str, str] = {}
    for kind, pks in by_kind.items():
        for org_pk, name in organization_model(kind).objects.filter(pk__in=pks).values_list("pk", "name"):
            names[str(OrgKey(kind, org_pk))] = name
    return names


def _organization_choices(user: Any) -> list[tuple[str, str]] | None:
    """The organizations the user may filter by, or None when there are too many to list."""
    from schoolsafe.audit.forms import MAX_CHOICES

    if user.is_superuser:
        total = sum(organization_model(kind).objects.count() for kind in KINDS)
        if total > MAX_CHOICES:
            return None
        keys = {str(OrgKey(kind, pk)) for kind in KINDS for pk in organization_model(kind).objects.values_list("pk", flat=True)}
    else:
        keys = organization_keys(user, AUDIT_READERS)
    names = _names(keys)
    kind_order = {"agency": 0, "district": 1, "school": 2}
    return sorted(((key, f"{names.get(key, key)} ({key.partition(':')[0]})") for key in keys),
                  key=lambda choice: (kind_order.get(choice[0].partition(":")[0], 9), choice[1]))


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Search the audit log: newest first, filtered, paginated; only the rows the policy lets the user see."""
    if not may_read_audit_log(request.user):
        raise NotVisible()
    from schoolsafe.audit.forms import AuditFilterForm

    form = AuditFilterForm(request.GET or None, organizations=_organization_choices(request.user))
    entries = AuditEntry.objects.restrict(request.user, "view").order_by("-id")
    status = 200
    if form.is_bound and not form.is_valid():
        entries = entries.none()
        status = 400
    elif form.is_bound:
        entries = form.apply(entries)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    names = _names({entry.organization for entry in rows if entry.organization})
    query = request.GET.copy()
    query.pop("page", None)
    own = next((OrgKey.owner_of(m) for m in memberships(request.user) if m.role in AUDIT_READERS), None)
    # Who searched the log, for what, is itself part of the log.
    record(request.user, "audit.search_log", object_type="audit.auditentry", summary={
        "filters": form.active_filters(), "page": page.number, "rows_shown": len(rows),
    }, organization=str(own) if own else "")
    return render(request, "audit/log.html", {
        "form": form,
        "page": page,
        "rows": [(entry, names.get(entry.organization, entry.organization)) for entry in rows],
        "query": query.urlencode(),
    }, status=status)
