"""Big personal exports, built off the request path.

`POST /api/v1/me/exports` stores a `job` row (kind "personal_export") and starts a thread of
the web process that builds the ZIP into the instance folder (`exports/<id>.zip`), moving the
job `x_queued -> x_running -> x_ready | x_failed` with its progress. The reminders
worker claims only "queued" jobs, so it never takes these. The download link works for
EXPIRES_AFTER; then the file is deleted and the job answers "expired". A job still running
after STALE_AFTER (the web process was restarted) answers "failed": ask again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from server import audit
from server.errors import ApiError, NotFoundError
from server.extensions import db
from server.models import Job, User, utcnow
from server.rights import export

log = logging.getLogger("lessonloop.rights")
KIND = "personal_export"
EXPIRES_AFTER = dt.timedelta(hours=24)
STALE_AFTER = dt.timedelta(minutes=30)
STATES = {"x_queued": "queued", "x_running": "running", "x_ready": "ready"}


def _folder(app: Flask) -> Path:
    folder = Path(app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start(user: User) -> dict[str, Any]:
    """Queue an export of the user's data and start building it; while one is being built,
    asking again answers that one (one thread per person at most, however often they ask)."""
    building = _unfinished(user)
    if building is not None:
        return describe(building)
    export_id = uuid.uuid4()
    job = Job(
        school_id=user.school_id,
        kind=KIND,
        status="x_queued",
        payload={"export_id": str(export_id), "user_id": str(user.id), "progress": 0},
        dedupe_key=f"export:{export_id}",
    )
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=_build, args=(app, job.id), daemon=True).start()
    return describe(job)


def _unfinished(user: User) -> Job | None:
    """The person's export still queued or running (not stale), if any."""
    jobs = db.session.execute(
        select(Job).where(
            Job.school_id == user.school_id,
            Job.kind == KIND,
            Job.status.in_(("x_queued", "x_running")),
        )
    ).scalars()
    mine = [j for j in jobs if j.payload.get("user_id") == str(user.id)]
    return next((j for j in mine if state(j) in ("queued", "running")), None)


def _set(job_id: int, status: str, **payload: Any) -> None:
    job = db.session.get(Job, job_id)
    assert job is not None
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=status, payload={**job.payload, **payload}, finished_at=utcnow())
    )
    db.session.commit()


def _build(app: Flask, job_id: int) -> None:
    """The thread: build the ZIP, then mark the job ready (or failed)."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job is not None
        try:
            _set(job_id, "x_running", progress=10)
            user = db.session.get(User, uuid.UUID(job.payload["user_id"]))
            assert user is not None
            content, filename = export.personal_zip(user)
            path = _folder(app) / f"{job.payload['export_id']}.zip"
            path.write_bytes(content)
            expires = (utcnow() + EXPIRES_AFTER).isoformat()
            _set(job_id, "x_ready", progress=100, filename=filename, expires_at=expires)
        except Exception:  # the job says so; the person asks again
            log.exception("personal export job %s failed", job_id)
            _failed(job_id)
        finally:
            db.session.remove()


def _failed(job_id: int) -> None:
    """Mark the job failed; if even that fails (the database is gone), the job goes stale."""
    try:
        db.session.rollback()
        _set(job_id, "x_failed", progress=0)
    except Exception:
        log.exception("personal export job %s could not be marked failed", job_id)


def find(user: User, export_id: uuid.UUID) -> Job:
    """The user's own export job, or 404 (another person's is not told)."""
    job = db.session.execute(
        select(Job).where(Job.kind == KIND, Job.dedupe_key == f"export:{export_id}")
    ).scalar_one_or_none()
    if job is None or job.payload.get("user_id") != str(user.id):
        raise NotFoundError("There is no export with this id for you.")
    return job


def state(job: Job, now: dt.datetime | None = None) -> str:
    """queued, running, ready, failed or expired."""
    now = now or utcnow()
    if job.status == "x_ready":
        expires = dt.datetime.fromisoformat(job.payload["expires_at"])
        return "ready" if now < expires else "expired"
    if job.status in ("x_queued", "x_running") and now - job.created_at > STALE_AFTER:
        return "failed"
    return STATES.get(job.status, "failed")


def describe(job: Job) -> dict[str, Any]:
    """The job as the API shows it."""
    current = state(job)
    export_id = job.payload["export_id"]
    ready = current == "ready"
    return {
        "id": export_id,
        "state": current,
        "progress": 100 if ready else int(job.payload.get("progress", 0)),
        "download_url": f"/api/v1/me/exports/{export_id}/download" if ready else None,
        "expires_at": job.payload.get("expires_at") if ready else None,
    }


def download(user: User, device: Any, export_id: uuid.UUID) -> tuple[bytes, str]:
    """The ready ZIP (audited), or 409 while it is not ready, 410 once it has expired."""
    job = find(user, export_id)
    current = state(job)
    path = _folder(current_app) / f"{export_id}.zip"
    if current == "expired":
        path.unlink(missing_ok=True)
        raise ApiError(410, "export_expired", "This download has expired: ask for a new export.")
    if current != "ready":
        raise ApiError(409, "export_not_ready", f"This export is {current}; ask again later.")
    record_export(user, device)
    return path.read_bytes(), job.payload["filename"]


def record_export(user: User, device: Any) -> None:
    """An export handed over goes to the audit trail."""
    row = audit.event(user, device, audit.EXPORT, "user", user.id, subject_id=user.id)
    audit.append_now([row])


def forget(user_id: uuid.UUID) -> int:
    """Delete a person's export jobs and files (erasure); returns how many."""
    found = [
        job
        for job in db.session.execute(select(Job).where(Job.kind == KIND)).scalars()
        if job.payload.get("user_id") == str(user_id)
    ]
    folder = _folder(current_app)
    for job in found:
        (folder / f"{job.payload['export_id']}.zip").unlink(missing_ok=True)
        db.session.delete(job)
    return len(found)
