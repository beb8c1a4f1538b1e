"""The SQLite backend (core/sqlite): write transactions of one process take turns on a lock, which every way
out of a transaction gives back."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection, connections, transaction

from schoolsafe.core.models import District
from schoolsafe.core.sqlite.base import DatabaseWrapper, writer_lock

pytestmark = pytest.mark.skipif("connection.vendor != 'sqlite'")


def lock():
    return writer_lock(connection.settings_dict["NAME"])


class Writer(threading.Thread):
    """Runs `work` in a thread of its own (its own connection), keeping what it returned or raised."""

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.result: object = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connection.close()


def write_and_count(name: str) -> Callable[[], int]:
    def work() -> int:
        with transaction.atomic():
            seen = District.objects.count()
            District.objects.create(name=name)
        return seen

    return work


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_for_the_first_to_commit_then_sees_its_row():
    with transaction.atomic():
        District.objects.create(name="First")
        assert lock().locked()
        second = Writer(write_and_count("Second"))
        second.start()
        second.join(0.3)
        assert second.is_alive(), "the second writer began while the first transaction was open"
    second.join(10)
    assert second.error is None
    assert second.result == 1  # it began after the first committed
    assert sorted(District.objects.values_list("name", flat=True)) == ["First", "Second"]
    assert not lock().locked()


@pytest.mark.django_db(transaction=True)
def test_a_failed_transaction_gives_the_lock_back():
    with pytest.raises(ValueError), transaction.atomic():
        District.objects.create(name="Rolled back")
        raise ValueError("something went wrong mid-transaction")
    assert not lock().locked()
    writer = Writer(write_and_count("After"))
    writer.start()
    writer.join(10)
    assert writer.error is None
    assert list(District.objects.values_list("name", flat=True)) == ["After"]


@pytest.mark.django_db(transaction=True)
def test_closing_a_connection_mid_transaction_gives_the_lock_back():
    def begin_then_close() -> None:
        transaction.set_autocommit(False)
        wrapper = connections["default"]  # this thread's connection, as `connection` is
        assert isinstance(wrapper, DatabaseWrapper)  # the project's backend: the module is skipped otherwise
        wrapper._start_transaction_under_autocommit()
        District.objects.create(name="Never committed")
        assert wrapper.holds_writer_lock

    writer = Writer(begin_then_close)  # Writer closes its connection when done
    writer.start()
    writer.join(10)
    assert writer.error is None
    assert not lock().locked()
    assert not District.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_waits_past_the_timeout_gets_database_is_locked():
    def impatient() -> None:
        connection.settings_dict = {**connection.settings_dict,
                                    "OPTIONS": {**connection.settings_dict["OPTIONS"], "timeout": 0.2}}
        write_and_count("Impatient")()

    with transaction.atomic():
        District.objects.create(name="Slow")
        writer = Writer(impatient)
        writer.start()
        writer.join(10)
    assert isinstance(writer.error, OperationalError)
    assert "database is locked" in str(writer.error)
    assert list(District.objects.values_list("name", flat=True)) == ["Slow"]
    assert not lock().locked()
