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

    def flush(self, notify: bool = False) -> None:
        """Write the counter back (inside the same transaction); with `notify` (PostgreSQL),
        NOTIFY the new counter in the same statement (delivered at commit)."""
        if self.current != self.start:
            statement = (
                update(School)
                .where(School.id == self.school_id)
                .values(change_counter=self.current)
            )
            if notify:
                payload = f"{self.school_id.hex}:{self.current}"
                statement = statement.returning(func.pg_notify(CHANGES_CHANNEL, payload))
            db.session.execute(statement)
            self.start = self.current


@contextmanager
def write_transaction(
    school_id: uuid.UUID, *, after_reads_only: bool = False
) -> Iterator[VersionAllocator]:
    """A transaction holding the school's change lock; commits on success, rolls back on error.

    `after_reads_only`: the request has only read so far (sync push: the sign-in lookup). On
    PostgreSQL its transaction then goes on into the write, saving a commit, a pool checkout and
    a BEGIN (in READ COMMITTED each statement sees every commit before it, so what the lock
    statement and those after it read is as fresh as in a new transaction). SQLite must start
    anew: its write lock is taken by BEGIN IMMEDIATE.
    """
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if not (after_reads_only and postgresql):
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
        allocator.flush(notify=postgresql)
        with timing.phase("commit"):
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        timing.note("lock_held", time.perf_counter() - held_from)


def committed_version(school_id: uuid.UUID) -> int:
    """The school's last committed change number (a fresh read)."""
    return int(
        db.session.execute(select(School.change_counter).where(School.id == school_id)).scalar_one()
    )
