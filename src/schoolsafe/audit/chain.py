"""Checking the audit chain: every row hashes to its stored hash and links to the row before it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from schoolsafe.audit import triggers
from schoolsafe.audit.anchor import Anchor, AnchorError, read_anchor
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
    # The head anchored outside the database (anchor.py), and what does not match it.
    anchor: Anchor | None = None
    anchor_problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.missing_triggers and not self.anchor_problem


def _check_anchor(report: ChainReport, entry: AuditEntry) -> None:
    """At the anchored row: it must still have the anchored hash and as many rows up to it."""
    anchor = report.anchor
    if anchor is None or anchor.last_id != entry.pk:
        return
    if entry.hash != anchor.last_hash:
        report.anchor_problem = (
            f"row #{entry.pk} has the hash {entry.hash[:16]}… but the anchor of {anchor.at} recorded "
            f"{anchor.last_hash[:16]}…: the log was rewritten and re-hashed"
        )
    elif report.rows != anchor.rows:
        report.anchor_problem = (
            f"{report.rows} rows lead up to row #{entry.pk} but the anchor of {anchor.at} counted {anchor.rows}: "
            "rows were removed or added before it"
        )


def verify_chain(batch: int = BATCH) -> ChainReport:
    """Walk the chain in id order, in batches; stop at the first row that does not match.

    Rows written while the walk runs are not counted: it checks the rows that existed when it began.
    Ids may have gaps (a transaction that rolled back took an id); the chain links rows, not ids.
    """
    report = ChainReport(missing_triggers=triggers.missing(connection))
    try:
        report.anchor = read_anchor()
    except AnchorError as exc:
        report.anchor_problem = str(exc)
    upto = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    after = 0
    while upto is not None:
        entries = list(AuditEntry.objects.filter(id__gt=after, id__lte=upto).order_by("id")[:batch])
        if not entries:
            break
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
            _check_anchor(report, entry)
        after = entries[-1].pk
    anchor = report.anchor
    if anchor is not None and anchor.last_id is not None and not report.anchor_problem and (
            report.last_id is None or report.last_id < anchor.last_id):
        # The walk ended before the anchored row: the newest rows are gone (or the whole log).
        report.anchor_problem = (
            f"the log ends at {'row #' + str(report.last_id) if report.last_id else 'no row'} ({report.rows} rows) "
            f"but the anchor of {anchor.at} names row #{anchor.last_id} ({anchor.rows} rows): the newest rows "
            "were removed"
        )
    return report
