"""Django's `flush`, made to respect the audit log.

Outside the test suite it refuses: flushing would delete the audit log, which is kept at least 365 days.
The test suite (which sets SCHOOLSAFE_AUDIT_FLUSHABLE, see conftest.py) empties every table after each
transactional test; there the append-only triggers are lifted for the flush, in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import CommandError
from django.core.management.commands import flush
from django.db import connections, transaction

from schoolsafe.audit import triggers


class Command(flush.Command):
    help = flush.Command.help + " Refused outside the test suite: it would delete the audit log."

    def handle(self, **options: Any) -> None:
        if not getattr(settings, "SCHOOLSAFE_AUDIT_FLUSHABLE", False):
            raise CommandError(
                "flush is refused: it would delete the audit log, which SchoolSafe keeps at least 365 days. "
                "To start over, create a new database."
            )
        database = options["database"]
        connection = connections[database]
        with transaction.atomic(using=database):
            triggers.uninstall(connection)
            super().handle(**options)
            triggers.install(connection)
