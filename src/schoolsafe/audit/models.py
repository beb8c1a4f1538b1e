"""The audit log: an append-only, hash-chained record of every write and every sensitive read."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from schoolsafe.access.policy import RestrictedQuerySet

# Need-to-know object types ("threats.case", "tips.tip"): an audit row about one of these objects is
# shown only to a reader who may view the object itself, by that object's own access policy. Without
# this, the audit page would list the case numbers, the people who worked on a case and its clinical-note
# markers to an administrator who gets 404 on the case. Apps declare theirs with `need_to_know()`.
NEED_TO_KNOW: set[str] = set()


def need_to_know(*labels: str) -> None:
    """Declare model labels whose audit rows follow the model's own "view" policy (called from policies.py)."""
    NEED_TO_KNOW.update(labels)


def hide_need_to_know(queryset: models.QuerySet, user: Any) -> models.QuerySet:
    """Drop the rows about need-to-know objects the user may not view. A row of such a type without an
    object id (a list read, a report export) names no object the reader could be checked against, and its
    summary may list several: it is dropped too. Superusers are no exception: the threat-assessment policy
    does not let them read cases either."""
    for label in sorted(NEED_TO_KNOW):
        model = apps.get_model(label)
        visible = model.objects.restrict(user, "view").annotate(
            _audit_object_id=Cast("pk", CharField())).values("_audit_object_id")
        queryset = queryset.filter(~Q(object_type=label) | Q(object_id__in=visible))
    return queryset


class AuditQuerySet(RestrictedQuerySet):
    """The audit log's queryset: platform administrators (superusers) see every row, except the rows
    about need-to-know objects they may not view (as every reader)."""

    def restrict(self, user: Any, action: str = "view") -> models.QuerySet:
        if action == "view" and getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
            return hide_need_to_know(self.all(), user)
        restricted = super().restrict(user, action)
        return hide_need_to_know(restricted, user) if action == "view" else restricted


class AuditEntry(models.Model):
    """One thing a person (or the system) did: a write, or a read of a sensitive record."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    # Kept as text too: the row must still say who it was if the account is ever removed.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    organization = models.CharField(max_length=80, blank=True, help_text="kind:id, e.g. school:12")
    request_id = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The admin page filters by organization and pages newest first.
            models.Index(fields=["organization", "id"], name="audit_org_id_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or 'system'} {self.action}"

    def content(self) -> dict[str, Any]:
        """The fields the hash covers, in a canonical form."""
        return {
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "organization": self.organization,
            "request_id": self.request_id,
            "summary": self.summary,
        }

    def compute_hash(self) -> str:
        """SHA-256 over the previous row's hash and this row's content: the link in the chain."""
        payload = json.dumps(
            {"prev": self.prev_hash, "content": self.content()},
            sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
