"""The reminders worker (`flask --app wsgi worker`): claims queued jobs and sends them.

Each loop: mark sends abandoned by a dead worker `unknown`, queue scheduled reminders now and
then (`schedule.scan`), claim a batch of due jobs, and for each one decide (still wanted?
quiet hours?), commit `sending`, POST it, and record the push service's answer. 429 and 5xx
(and network errors) are retried with exponential backoff, or after the service's Retry-After;
404 and 410 remove the subscription. See server.reminders.jobs for the states and the
crash guarantee.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import random
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from server.extensions import db
from server.models import Job, PushSubscription, utcnow
from server.photos import staging as photo_staging
from server.reminders import events, jobs, schedule
from server.reminders.delivery import Outcome, Sender, Target
from server.rights import retention

log = logging.getLogger("lessonloop.worker")
RETRY_PAUSE_SECONDS = 5.0
MAX_RETRY_AFTER_SECONDS = 86400.0


@dataclass(frozen=True)
class Settings:
    """How the worker paces itself."""

    batch_size: int = 20
    lease: dt.timedelta = dt.timedelta(seconds=120)
    poll_interval: float = 2.0
    scan_interval: float = 300.0
    max_attempts: int = 8
    backoff_base: float = 30.0
    backoff_cap: float = 3600.0
    keep_finished: dt.timedelta = dt.timedelta(days=30)


def backoff(attempt: int, settings: Settings) -> float:
    """Seconds before retry number `attempt` (1, 2, ...): doubling, capped, with 10% jitter."""
    delay = min(settings.backoff_cap, settings.backoff_base * 2.0 ** (attempt - 1))
    return delay * random.uniform(0.9, 1.1)


class Worker:
    """One worker process: a single thread sending one message at a time."""

    def __init__(
        self,
        sender: Sender,
        settings: Settings | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.sender = sender
        self.settings = settings or Settings()
        self.clock = clock
        self.name = f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"
        self.claims = itertools.count(1)
        self.stop_event = threading.Event()
        self.next_scan: dt.datetime | None = None
        self.next_retention: dt.datetime | None = None

    def housekeeping(self, force_scan: bool = False) -> None:
        """Abandoned sends become `unknown`; scheduled reminders are queued when a scan is due
        (and abandoned photo uploads removed); retention runs once a day."""
        now = self.clock()
        abandoned = jobs.abandon_unfinished_sends(now)
        if abandoned:
            log.warning("%d message(s) were being sent by a worker that stopped", abandoned)
        if force_scan or self.next_scan is None or now >= self.next_scan:
            queued = schedule.scan(now)
            jobs.purge(now - self.settings.keep_finished)
            abandoned_uploads = photo_staging.remove_abandoned(now)  # photos begun, never done
            if abandoned_uploads:
                log.info("removed %d photo upload(s) abandoned part way", abandoned_uploads)
            self.next_scan = now + dt.timedelta(seconds=self.settings.scan_interval)
            log.debug("scan offered %d scheduled reminder(s)", queued)
        if self.next_retention is None or now >= self.next_retention:
            # Daily: what is past each school's retention goes (server.rights.retention).
            for school, counts in retention.run_all(now).items():
                if any(counts.values()):
                    log.info("retention in %s deleted %s", school, counts)
            self.next_retention = now + dt.timedelta(days=1)

    def tick(self) -> int:
        """Claim one batch of due jobs and handle them; returns how many were claimed."""
        token = f"{self.name}/{next(self.claims)}"
        claimed = jobs.claim(token, self.clock(), self.settings.lease, self.settings.batch_size)
        for job in claimed:
            if self.stop_event.is_set():
                break  # the rest are claimed by us; their lease runs out and another takes them
            self.handle(job, token)
        return len(claimed)

    def run_once(self) -> int:
        """Queue what is scheduled, then handle every job due now; returns jobs claimed."""
        self.housekeeping(force_scan=True)
        total = 0
        while not self.stop_event.is_set():
            claimed = self.tick()
            total += claimed
            if claimed == 0:
                break
        return total

    def run(self) -> None:
        """Loop until stopped (SIGTERM or SIGINT finish the current message first)."""
        while not self.stop_event.is_set():
            try:
                self.housekeeping()
                busy = self.tick() > 0
            except SQLAlchemyError:
                # The database restarting must not stop reminders: wait, then carry on.
                log.exception("database error; trying again in %s s", RETRY_PAUSE_SECONDS)
                db.session.rollback()
                self.stop_event.wait(RETRY_PAUSE_SECONDS)
                continue
            if not busy:
                self.stop_event.wait(self.settings.poll_interval)

    def handle(self, job: Job, token: str) -> str:
        """Decide, send and record one claimed job; returns what became of it."""
        db.session.expunge_all()  # nothing cached from earlier jobs
        now = self.clock()
        with jobs.write():  # the decision and `sending` commit together, before the POST
            verdict = events.check_before_send(job, now)
            if verdict.action == "cancel":
                jobs.cancel(job, token, now, verdict.reason)
                return "cancelled"
            if verdict.action == "defer" and verdict.run_at is not None:
                jobs.defer(job, token, verdict.run_at)
                return "deferred"
            target = verdict.target
            if target is None or not jobs.begin_sending(job, token, now + self.settings.lease):
                return "lost"  # our lease ran out and another worker has it now
        kind = job.payload["notification"]["kind"]
        outcome = self.sender.send(
            target,
            events.wire_message(job),
            events.TTL_SECONDS[kind],
            events.URGENCY[kind],
        )
        with jobs.write():
            return self.record(job, token, outcome, target)

    def record(self, job: Job, token: str, outcome: Outcome, target: Target) -> str:
        """Write the push service's answer (only while the job is still ours)."""
        now, attempt = self.clock(), job.attempts + 1
        if outcome.result == "sent":
            jobs.finish(job, token, "sent", now)
            return "sent"
        log.warning("job %s attempt %d: %s", job.id, attempt, outcome.detail)
        if outcome.result == "gone":
            db.session.execute(
                delete(PushSubscription).where(
                    PushSubscription.id == target.subscription_id,
                    PushSubscription.endpoint == target.endpoint,
                )
            )
            jobs.finish(job, token, "failed", now, outcome.detail + " (subscription removed)")
            return "gone"
        if outcome.result == "retry" and attempt < self.settings.max_attempts:
            delay = outcome.retry_after
            if delay is None:
                delay = backoff(attempt, self.settings)
            delay = min(delay, MAX_RETRY_AFTER_SECONDS)  # a service asking for a year gets a day
            jobs.retry(job, token, now + dt.timedelta(seconds=delay), outcome.detail)
            return "retry"
        jobs.finish(job, token, "failed", now, outcome.detail)
        return "failed"


def _stop_on_signals(worker: Worker) -> None:
    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping after the current message (signal %d)", signum)
        worker.stop_event.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


DEFAULTS = Settings()


@click.command("worker")
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0.01),
    default=DEFAULTS.poll_interval,
    show_default=True,
    help="Seconds between looks at the queue when it is empty.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 1000),
    default=DEFAULTS.batch_size,
    show_default=True,
    help="Jobs claimed at a time.",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=1),
    default=DEFAULTS.lease.total_seconds(),
    show_default=True,
    help="Seconds a claim holds before another worker may take the job over.",
)
@click.option(
    "--scan-interval",
    type=click.FloatRange(min=1),
    default=DEFAULTS.scan_interval,
    show_default=True,
    help="Seconds between scans for next steps falling due and weekly reflection prompts.",
)
@with_appcontext
def worker_command(
    once: bool, poll_interval: float, batch_size: int, lease: float, scan_interval: float
) -> None:
    """Send Web Push reminders: claim queued jobs, send them, retry, queue scheduled ones."""
    settings = Settings(
        batch_size=batch_size,
        lease=dt.timedelta(seconds=lease),
        poll_interval=poll_interval,
        scan_interval=scan_interval,
    )
    sender = Sender.from_config(current_app.config)
    worker = Worker(sender, settings)
    _stop_on_signals(worker)
    click.echo(f"Reminders worker {worker.name} started.", err=True)
    try:
        if once:
            click.echo(f"Handled {worker.run_once()} job(s).", err=True)
        else:
            worker.run()
    finally:
        sender.close()
        db.session.remove()
