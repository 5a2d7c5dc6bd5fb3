"""The job queue: jobs are rows of `job`, moved through their states by conditional updates.

    queued --claim--> claimed --begin_sending--> sending --finish--> sent | failed
      ^  (lease over:   |  |                        |  \\--retry (429, 5xx, network)--> queued
      |  claim again)   |  \\--defer (quiet hours)--> queued
      |                 \\--cancel--> cancelled        \\--lease over--> unknown (never re-sent)

A worker claims a few due jobs at once (`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite one
UPDATE ... RETURNING inside BEGIN IMMEDIATE, which holds the database's single write lock), and
stamps them with its own claim token and a lease (`locked_until`). Every later transition names
that token and the state it expects, so a worker whose lease ran out and was re-claimed by
another changes nothing. `begin_sending` is committed before the message leaves: a job found
in `sending` after its lease has passed belonged to a worker that died mid-send, and it may or
may not have reached the push service, so it becomes `unknown` and is never sent again. That is
how a crash and restart never sends a job twice; see README "Reminders" for the whole guarantee.

The transitions below run in the caller's transaction: wrap them in `write()`, and commit
`begin_sending` before the message leaves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Table, Update, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from server.extensions import db, sqlite_immediate
from server.models import Job

FINISHED = ("sent", "failed", "cancelled", "unknown")
# Dedupe keys of this prefix only hold while a job waits: a later event may queue a new job
# once this one has started sending (partner notes and review requests coalesce; scheduled
# reminders keep their keys so they are sent once).
OPEN_KEY_PREFIX = "open:"


@contextmanager
def write() -> Iterator[None]:
    """A short write transaction (BEGIN IMMEDIATE on SQLite) that commits or rolls back."""
    db.session.commit()
    token = sqlite_immediate.set(True)
    try:
        db.session.connection()  # begin now, so SQLite takes the write lock first
    finally:
        sqlite_immediate.reset(token)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


INSERT_IGNORING_DUPLICATES = {
    name: module.insert(Job.__table__).on_conflict_do_nothing(index_elements=["dedupe_key"])
    for name, module in (("postgresql", postgresql), ("sqlite", sqlite))
}


def enqueue(rows: list[dict[str, Any]]) -> None:
    """Insert jobs in the caller's transaction; a row whose dedupe_key exists is skipped."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    db.session.execute(INSERT_IGNORING_DUPLICATES[dialect], rows)


def claim(token: str, now: dt.datetime, lease: dt.timedelta, limit: int) -> list[Job]:
    """Claim up to `limit` due jobs (queued and due, or claimed with a lapsed lease)."""
    due = or_(
        and_(Job.status == "queued", Job.run_at <= now),
        and_(Job.status == "claimed", Job.locked_until < now),
    )
    ids = (
        select(Job.id)
        .where(due)
        .order_by(Job.run_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Job)
        .where(Job.id.in_(ids.scalar_subquery()))
        .values(status="claimed", locked_by=token, locked_until=now + lease)
        .returning(Job)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    with write():
        jobs = list(db.session.execute(statement).scalars())
    return sorted(jobs, key=lambda job: (job.run_at, job.id))


def _transition(expected: str, *columns: str) -> Update:
    """A conditional update, built once: this job, in this state, under this claim token."""
    table = cast(Table, Job.__table__)
    return (
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            table.c.status == expected,
            table.c.locked_by == bindparam("b_token"),
        )
        .values({name: bindparam("b_" + name, type_=table.c[name].type) for name in columns})
    )


BEGIN_SENDING = _transition("claimed", "status", "attempts", "locked_until", "dedupe_key")
FINISH = _transition("sending", "status", "finished_at", "last_error", "locked_until")
RETRY = _transition("sending", "status", "run_at", "last_error", "locked_by", "locked_until")
DEFER = _transition("claimed", "status", "run_at", "locked_by", "locked_until")
CANCEL = _transition("claimed", "status", "finished_at", "last_error", "locked_until", "dedupe_key")


def _move(statement: Update, job: Job, token: str, **values: Any) -> bool:
    """Run one transition; False when the job is no longer ours in that state."""
    params = {"b_id": job.id, "b_token": token, **{"b_" + k: v for k, v in values.items()}}
    result = db.session.execute(statement, params)
    return bool(getattr(result, "rowcount", 0) == 1)


def _released(job: Job) -> str | None:
    key = job.dedupe_key
    return None if key and key.startswith(OPEN_KEY_PREFIX) else key


def begin_sending(job: Job, token: str, lease_until: dt.datetime) -> bool:
    """claimed -> sending, committed before the message leaves (one more attempt)."""
    return _move(
        BEGIN_SENDING,
        job,
        token,
        status="sending",
        attempts=job.attempts + 1,
        locked_until=lease_until,
        dedupe_key=_released(job),
    )


def finish(job: Job, token: str, status: str, now: dt.datetime, error: str | None = None) -> bool:
    """sending -> sent or failed."""
    return _move(
        FINISH, job, token, status=status, finished_at=now, last_error=error, locked_until=None
    )


def retry(job: Job, token: str, run_at: dt.datetime, error: str) -> bool:
    """sending -> queued again, to run at `run_at` (backoff or Retry-After)."""
    return _move(
        RETRY,
        job,
        token,
        status="queued",
        run_at=run_at,
        last_error=error,
        locked_by=None,
        locked_until=None,
    )


def defer(job: Job, token: str, run_at: dt.datetime) -> bool:
    """claimed -> queued until `run_at` (quiet hours); not an attempt."""
    return _move(
        DEFER, job, token, status="queued", run_at=run_at, locked_by=None, locked_until=None
    )


def cancel(job: Job, token: str, now: dt.datetime, reason: str) -> bool:
    """claimed -> cancelled: there is nobody (or nothing) to send it to any more."""
    return _move(
        CANCEL,
        job,
        token,
        status="cancelled",
        finished_at=now,
        last_error=reason,
        locked_until=None,
        dedupe_key=_released(job),
    )


def abandon_unfinished_sends(now: dt.datetime) -> int:
    """sending with a lapsed lease -> unknown: its worker died mid-send; never send it again."""
    with write():
        result = db.session.execute(
            update(Job)
            .where(Job.status == "sending", Job.locked_until < now)
            .values(
                status="unknown",
                finished_at=now,
                locked_until=None,
                last_error="The worker stopped while sending this message. It may have "
                "arrived, so it is not sent again.",
            )
            .execution_options(synchronize_session=False)
        )
    return int(getattr(result, "rowcount", 0))


def purge(before: dt.datetime) -> int:
    """Delete finished jobs older than `before`."""
    with write():
        result = db.session.execute(
            delete(Job)
            .where(Job.status.in_(FINISHED), Job.finished_at < before)
            .execution_options(synchronize_session=False)
        )
    return int(getattr(result, "rowcount", 0))


def counts() -> dict[str, int]:
    """How many jobs are in each state (for the worker's log and the tests)."""
    rows = db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
    db.session.commit()
    return {status: int(n) for status, n in rows}
