"""Writing to the audit log. Every `do_*` action and every sensitive read calls `record()`."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import school_path
from schoolsafe.audit.models import AuditEntry

GENESIS = "0" * 64
# Set by RequestIdMiddleware for the duration of a request, so actions need not pass it around.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# Any constant works; it only has to be the same for every writer of the chain.
_PG_LOCK_KEY = 0x5C4001A0D17


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def organization_key(organization: Model) -> str:
    """The audit row's organization for an Agency, District or School: "school:12"."""
    return str(OrgKey.of(organization))


def organization_of(obj: Model) -> str:
    """The organization key of the school a protected object hangs off (its `school_path` in the access
    policy), or ""."""
    path = school_path(obj)
    if path is None:
        return ""
    target: Any = obj
    for part in path.split("__") if path else []:
        target = getattr(target, part, None)
        if target is None:
            return ""
    return organization_key(target)


def record(
    actor: Any,
    action: str,
    obj: Model | None = None,
    *,
    summary: dict[str, Any] | None = None,
    organization: str | OrgKey = "",
    object_type: str = "",
    object_id: str = "",
) -> AuditEntry:
    """Append one row to the audit chain, inside the caller's transaction (or its own)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two writers must not both chain onto the same previous row; SQLite's IMMEDIATE
            # transactions already serialize writers.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        user = actor if getattr(actor, "is_authenticated", False) else None
        entry = AuditEntry(
            at=dt.datetime.now(dt.UTC),
            actor=user,
            actor_name=getattr(user, "username", "") if user else (actor if isinstance(actor, str) else ""),
            action=action,
            object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
            object_id=object_id or (str(obj.pk) if obj is not None else ""),
            object_repr=str(obj)[:200] if obj is not None else "",
            organization=str(organization),
            request_id=current_request_id.get(),
            summary=_json_safe(summary or {}),
            prev_hash=last or GENESIS,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
    return entry


def record_read(
    user: Any,
    obj: Model,
    *,
    organization: str | OrgKey = "",
    summary: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record that `user` opened a sensitive record (a tip, a threat case): action "<app>.read_<model>".

    `organization` defaults to the school the object hangs off (its `school_path` in the access policy).
    """
    return record(
        user,
        f"{obj._meta.app_label}.read_{obj._meta.model_name}",
        obj,
        summary=summary,
        organization=organization or organization_of(obj),
    )
