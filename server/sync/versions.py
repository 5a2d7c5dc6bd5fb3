"""The school-wide change sequence and the write transaction that guards it.

Every change to a synced record takes the next number of its school's `change_counter`.
A writer locks the school row as the first statement of its transaction (`SELECT ... FOR
UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite) and writes the counter back before it
commits, so writers of one school run one at a time and version numbers become visible in the
order they were given. A reader that reads the committed counter first therefore knows that
every change numbered at or below it is already committed: pull relies on that. On PostgreSQL
the transaction also NOTIFYs the school's new counter, delivered at commit (server.sync.live).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select, update

from server import timing
from server.extensions import db, sqlite_immediate
from server.models import School

# PostgreSQL: each write NOTIFYs this channel with "school hex:version" (server.sync.live).
CHANGES_CHANNEL = "lessonloop_changes"


class VersionAllocator:
    """Hands out the next version numbers of one locked school."""

    def __init__(self, school_id: uuid.UUID, current: int) -> None:
        self.school_id = school_id
        self.current = current
        self.start = current

    def next(self) -> int:
        """The next version number."""
        self.current += 1
        return self.current

    def flush(self) -> None:
        """Write the counter back (inside the same transaction)."""
        if self.current != self.start:
            db.session.execute(
                update(School)
                .where(School.id == self.school_id)
                .values(change_counter=self.current)
            )
            self.start = self.current


@contextmanager
def write_transaction(school_id: uuid.UUID) -> Iterator[VersionAllocator]:
    """A transaction holding the school's change lock; commits on success, rolls back on error."""
    db.session.commit()  # end whatever read transaction the request had open
    token = sqlite_immediate.set(True)
    try:
        with timing.phase("lock"):  # the wait for the school's change lock
            counter = db.session.execute(
                select(School.change_counter).where(School.id == school_id).with_for_update()
            ).scalar_one()
    finally:
        sqlite_immediate.reset(token)
    held_from = time.perf_counter()
    allocator = VersionAllocator(school_id, counter)
    try:
        yield allocator
        changed = allocator.current != counter
        allocator.flush()
        if changed and db.session.get_bind().dialect.name == "postgresql":
            _notify(school_id, allocator.current)
        with timing.phase("commit"):
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        timing.note("lock_held", time.perf_counter() - held_from)


def _notify(school_id: uuid.UUID, version: int) -> None:
    """Tell every app instance's listener, when this transaction commits (NOTIFY waits for it)."""
    payload = f"{school_id.hex}:{version}"
    db.session.execute(select(func.pg_notify(CHANGES_CHANNEL, payload)))


def committed_version(school_id: uuid.UUID) -> int:
    """The school's last committed change number (a fresh read)."""
    return int(
        db.session.execute(select(School.change_counter).where(School.id == school_id)).scalar_one()
    )
