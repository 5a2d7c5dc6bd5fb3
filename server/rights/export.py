"""A person's own export (subject access, portability): a ZIP of everything held about them
that they may see.

data.json (schemas/export.schema.json, kind "personal"), one CSV per list, their learning record
PDF, the schema itself and a README.txt. "Everything about them" is: their profile, teams and
devices; every observation they take part in (created or listed as a participant) with all its
notes and next steps; their own next steps; their personal focuses and the focuses their
observations use; colleagues by name and role only; the audit events by them and about them.
A lead's export does not hold what others shared with leads: that is not about the lead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from typing import Any

from sqlalchemy import or_, select

from server import audit, policy
from server.errors import ApiError
from server.extensions import db
from server.models import (
    Attachment,
    Device,
    Focus,
    NextStep,
    Note,
    Observation,
    ObservationFocus,
    ObservationParticipant,
    Team,
    User,
    UserTeam,
)
from server.photos import storage
from server.policy import Reader, people
from server.reports import service as reports
from server.rights import entities, trail
from server.rights.schema import PERSONAL_LISTS, schema_document
from server.visits import Visit

# Above this many observations the export is built by a job (POST /api/v1/me/exports).
SYNC_MAX_OBSERVATIONS = 200  # the default of EXPORT_SYNC_MAX_OBSERVATIONS
RECORD_DAYS = 730  # the learning record PDF covers the last two years (the reports' limit)
COLLEAGUE = {"id", "display_name", "role", "active"}
PERSON_HIDDEN = {"password_hash"}


def observation_count(user: User) -> int:
    """How many observations the person takes part in."""
    query = select(Observation.id).where(
        Observation.school_id == user.school_id,
        Observation.id.in_(people.observations_taken_part_in(user.id)),
    )
    return len(db.session.execute(query).all())


def check_small_enough(user: User, limit: int = SYNC_MAX_OBSERVATIONS) -> None:
    """A synchronous export is for up to `limit` observations."""
    count = observation_count(user)
    if count > limit:
        raise ApiError(
            413,
            "export_too_large",
            f"You take part in {count} observations: ask for the export with "
            "POST /api/v1/me/exports and download it when it is ready.",
        )


def _rows(model: Any, *where: Any) -> list[Any]:
    return list(db.session.execute(select(model).where(*where).order_by(model.id)).scalars())


def personal_document(user: User) -> dict[str, Any]:
    """data.json: every list of PERSONAL_LISTS, each sorted by id."""
    reader = Reader.of(user)
    mine = people.observations_taken_part_in(user.id)
    observations = _rows(
        Observation, Observation.school_id == user.school_id, Observation.id.in_(mine)
    )
    ids = [o.id for o in observations]
    notes = _rows(Note, policy.note_readable(reader), Note.observation_id.in_(ids))
    steps = _rows(
        NextStep,
        policy.next_step_readable(reader),
        or_(NextStep.owner_id == user.id, NextStep.observation_id.in_(ids)),
    )
    used = select(ObservationFocus.focus_id).where(ObservationFocus.observation_id.in_(ids))
    focuses = _rows(
        Focus, policy.focus_readable(reader), or_(Focus.owner_id == user.id, Focus.id.in_(used))
    )
    lists = {
        "observations": observations,
        "notes": notes,
        "photos": _photos(reader, ids),
        "visits": _rows(Visit, policy.visit_readable(reader), Visit.observation_id.in_(ids)),
        "next_steps": steps,
        "focuses": focuses,
        "teams": _rows(Team, Team.id.in_(_team_ids(user))),
        "devices": _rows(Device, Device.user_id == user.id),
    }
    document: dict[str, Any] = {
        key: [entities.to_json(PERSONAL_LISTS[key], row) for row in rows]
        for key, rows in lists.items()
    }
    document["people"] = _colleagues(user, observations, notes, steps)
    document["audit_events"] = _audit(user)
    keep = {c.key for c in entities.columns("user")} - PERSON_HIDDEN
    document.update(
        format=entities.FORMAT, kind="personal", person=entities.to_json("user", user, keep)
    )
    return document


def _photos(reader: Reader, observation_ids: list[Any]) -> list[Attachment]:
    """The photos of the person's observations (whoever took them)."""
    readable = policy.attachment_readable(reader)
    return _rows(Attachment, readable, Attachment.observation_id.in_(observation_ids))


def _team_ids(user: User) -> Any:
    return select(UserTeam.team_id).where(UserTeam.user_id == user.id)


def _colleagues(
    user: User, observations: list[Observation], notes: list[Note], steps: list[NextStep]
) -> list[dict[str, Any]]:
    """Everyone named in the person's records, by name and role only."""
    ids = {o.created_by for o in observations} | {n.created_by for n in notes}
    ids |= {s.owner_id for s in steps} | {s.created_by for s in steps}
    ids |= set(
        db.session.execute(
            select(ObservationParticipant.user_id).where(
                ObservationParticipant.observation_id.in_([o.id for o in observations])
            )
        ).scalars()
    )
    ids.discard(user.id)
    people = _rows(User, User.school_id == user.school_id, User.id.in_(ids))
    return [entities.to_json("user", person, COLLEAGUE) for person in people]


def _audit(user: User) -> list[dict[str, Any]]:
    query = (
        select(audit.AuditEvent)
        .where(
            audit.AuditEvent.school_id == user.school_id,
            or_(audit.AuditEvent.actor_id == user.id, trail.about(user.id)),
        )
        .order_by(audit.AuditEvent.at, audit.AuditEvent.id)
    )
    return [entities.to_json("audit_event", row) for row in db.session.execute(query).scalars()]


# ---- the ZIP ---------------------------------------------------------------------------------


def csv_text(rows: list[dict[str, Any]], entity: str) -> str:
    """One list as CSV: a column per key; lists and objects as JSON, null as empty."""
    out = io.StringIO()
    keys = [c.key for c in entities.columns(entity)]
    present = [k for k in keys if any(k in row for row in rows)] or keys
    writer = csv.writer(out)
    writer.writerow(present)
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key in present])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value).lower() if isinstance(value, bool) else str(value)


def personal_zip(user: User) -> tuple[bytes, str]:
    """The ZIP and its file name."""
    document = personal_document(user)
    today = dt.datetime.now(dt.UTC).date()
    pdf_note = _learning_record(user, today)
    files: dict[str, bytes] = {"data.json": entities.dumps(document)}
    for key, entity in PERSONAL_LISTS.items():
        files[f"csv/{key}.csv"] = csv_text(document[key], entity).encode()
    files["csv/person.csv"] = csv_text([document["person"]], "user").encode()
    files.update(photo_files(document["photos"]))
    if isinstance(pdf_note, bytes):
        files["learning-record.pdf"] = pdf_note
    files["export.schema.json"] = (json.dumps(schema_document(), indent=2) + "\n").encode()
    files["README.txt"] = readme(document, today, pdf_note).encode()
    return zip_bytes(files), f"lesson-loop-my-data-{today.isoformat()}.zip"


def photo_files(photos: list[dict[str, Any]]) -> dict[str, bytes]:
    """photos/<attachment id>.<jpg|png|webp>: the bytes the server keeps of each photo."""
    found = {}
    for photo in photos:
        data = storage.store().get(photo["stored_key"]) if photo["stored_key"] else None
        if data is not None and not photo["deleted"]:
            extension = {"image/png": "png", "image/webp": "webp"}.get(photo["content_type"], "jpg")
            found[f"photos/{photo['id']}.{extension}"] = data
    return found


def _learning_record(user: User, today: dt.date) -> bytes | str:
    """The learning record PDF, or why it is missing (too long to print)."""
    start = today - dt.timedelta(days=RECORD_DAYS)
    try:
        return reports.teacher_pdf(user, str(user.id), start, today).content
    except ApiError as exc:
        return exc.message


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A ZIP of these files, deflated, with a fixed time stamp (the same data, the same bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


def readme(document: dict[str, Any], today: dt.date, pdf_note: bytes | str) -> str:
    """README.txt: what the files are."""
    counts = "\n".join(f"  {key}: {len(document[key])}" for key in PERSONAL_LISTS)
    record = (
        f"learning-record.pdf  your professional learning record, {RECORD_DAYS} days to {today}"
        if isinstance(pdf_note, bytes)
        else f"(no learning-record.pdf: {pdf_note})"
    )
    return f"""Lesson Loop: your data, exported {today.isoformat()} (UTC)

This archive holds everything Lesson Loop stores about you that you may see.

data.json            everything, as JSON; its structure is export.schema.json (JSON Schema)
csv/*.csv            the same lists as CSV, one file per list (open them in a spreadsheet)
photos/              the photos of pupils' work on your observations (named by their id)
{record}
export.schema.json   what each field of data.json means

In data.json:
  person: you (your email, role, notification settings; never your password)
{counts}

"people" are the colleagues named in your records, by display name and role only.
"audit_events" are who read, downloaded, shared or exported your records, and what you did.
Observations others shared with leads are not in your export unless you took part in them.
Questions: ask your school's data protection officer.
"""
