"""Writes to organizations. Each is atomic and leaves an audit row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from schoolsafe.audit.log import record
from schoolsafe.core import importers
from schoolsafe.core.importers import ImportSummary


def _import(kind: str, fn: Any, actor: Any, path: Path, all_or_nothing: bool, progress: Any) -> ImportSummary:
    with transaction.atomic():
        summary = fn(path, all_or_nothing=all_or_nothing, progress=progress)
        if not summary.rolled_back and (summary.created or summary.updated):
            record(
                actor,
                f"core.import_{kind}",
                object_type={"schools": "core.school", "agencies": "core.agency"}[kind],
                summary={
                    "file": path.name,
                    "created": summary.created,
                    "updated": summary.updated,
                    "unchanged": summary.unchanged,
                    "rejected": len(summary.rejected),
                },
            )
    return summary


def do_import_schools(
    actor: Any, path: Path, *, all_or_nothing: bool = False, progress: Any = None
) -> ImportSummary:
    """Upsert the schools (and districts) of an HIFLD/NCES public-schools file."""
    return _import("schools", importers.import_schools, actor, path, all_or_nothing, progress)


def do_import_agencies(
    actor: Any, path: Path, *, all_or_nothing: bool = False, progress: Any = None
) -> ImportSummary:
    """Upsert the agencies of an HIFLD law-enforcement-locations file."""
    return _import("agencies", importers.import_agencies, actor, path, all_or_nothing, progress)
