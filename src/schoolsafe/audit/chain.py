"""Checking the audit chain: every row hashes to its stored hash and links to the row before it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from schoolsafe.audit import triggers
from schoolsafe.audit.log import GENESIS
from schoolsafe.audit.models import AuditEntry

BATCH = 2000


@dataclass
class ChainReport:
    """What `verify_chain` found: how many rows it checked and the first that does not match."""

    rows: int = 0
    last_id: int | None = None
    last_hash: str = GENESIS
    broken_id: int | None = None
    reason: str = ""
    missing_triggers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.missing_triggers


def verify_chain(batch: int = BATCH) -> ChainReport:
    """Walk the chain in id order, in batches; stop at the first row that does not match.

    Rows written while the walk runs are not counted: it checks the rows that existed when it began.
    Ids may have gaps (a transaction that rolled back took an id); the chain links rows, not ids.
    """
    report = ChainReport(missing_triggers=triggers.missing(connection))
    upto = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    if upto is None:
        return report
    after = 0
    while True:
        entries = list(AuditEntry.objects.filter(id__gt=after, id__lte=upto).order_by("id")[:batch])
        if not entries:
            return report
        for entry in entries:
            if entry.prev_hash != report.last_hash:
                report.broken_id = entry.pk
                if report.last_id is None:
                    report.reason = (
                        f"it is the first row but its prev_hash {entry.prev_hash[:16]}… is not the genesis hash: "
                        "rows before it were removed"
                    )
                else:
                    report.reason = (
                        f"its prev_hash {entry.prev_hash[:16]}… is not the hash of row #{report.last_id} "
                        f"({report.last_hash[:16]}…): a row between them was removed, or row #{report.last_id} "
                        "was altered and re-hashed"
                    )
                return report
            computed = entry.compute_hash()
            if computed != entry.hash:
                report.broken_id = entry.pk
                report.reason = (
                    f"its content no longer matches its hash (stored {entry.hash[:16]}…, "
                    f"computed {computed[:16]}…): the row was altered"
                )
                return report
            report.rows += 1
            report.last_id = entry.pk
            report.last_hash = entry.hash
        after = entries[-1].pk
