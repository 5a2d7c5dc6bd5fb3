"""A school's whole export (leaving the service, backup) and its restore into an empty database.

data.json is the export schema's "school" document: the school, its teams, accounts (with their
password hashes, so people sign in as before: the file is as sensitive as the database),
memberships, focuses, look-fors, observations, next steps, notes, photos (their records;
their bytes as photos/<id>.<ext>, as in a personal export) and the audit trail, each list
sorted by id (audit events by time). Not exported: devices and their tokens, Web Push
subscriptions, queued reminders, sign-in failures, evictions (after a restore every device
signs in again and starts a fresh sync, which needs none of them). Restoring writes the same
rows back, and the photos' bytes into this instance's photo store, so exporting the restored
school gives byte for byte the same data.json.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import func, insert, select

from server import audit
from server.errors import ApiError
from server.extensions import db
from server.models import ObservationFocus, ObservationParticipant, School, User, UserTeam
from server.photos import storage
from server.rights import entities
from server.rights.export import photo_files, zip_bytes
from server.rights.schema import SCHOOL_LISTS, schema_document

README = """Lesson Loop: the whole export of {name}

data.json           every record of the school (JSON; structure: export.schema.json)
photos/             the photos of pupils' work (photos/<attachment id>.<jpg|png|webp>)
export.schema.json  what each field means

Restore into an empty Lesson Loop database with:
    flask --app wsgi db upgrade
    flask --app wsgi import-school THIS-FILE.zip
Everyone signs in again afterwards (devices are not exported); passwords are unchanged.
This file holds password hashes and everything the school wrote: keep it as safe as the
database itself.
"""


def _rows(entity: str, school_id: Any) -> list[dict[str, Any]]:
    model = entities.MODELS[entity]
    if entity == "user_team":
        query = (
            select(UserTeam)
            .join(User, User.id == UserTeam.user_id)
            .where(User.school_id == school_id)
            .order_by(UserTeam.user_id, UserTeam.team_id)
        )
    elif entity == "audit_event":
        query = select(model).where(model.school_id == school_id).order_by(model.at, model.id)
    else:
        query = select(model).where(model.school_id == school_id).order_by(model.id)
    return [entities.to_json(entity, row) for row in db.session.execute(query).scalars()]


def school_document(school: School) -> dict[str, Any]:
    """data.json of a school's export."""
    document: dict[str, Any] = {key: _rows(e, school.id) for key, e in SCHOOL_LISTS.items()}
    document.update(
        format=entities.FORMAT, kind="school", school=entities.to_json("school", school)
    )
    return document


def school_zip(school: School, actor: User | None = None, device: Any = None) -> bytes:
    """The ZIP (data.json, the schema, README.txt); the export is audited after it is built,
    so the export it describes does not contain its own record."""
    document = school_document(school)
    files = {
        "data.json": entities.dumps(document),
        **photo_files(document["photos"]),
        "export.schema.json": (json.dumps(schema_document(), indent=2) + "\n").encode(),
        "README.txt": README.format(name=school.name).encode(),
    }
    content = zip_bytes(files)
    row = audit.event(actor, device, audit.SCHOOL_EXPORT, "school", school.id, school_id=school.id)
    audit.append_now([row])
    return content


def import_document(document: dict[str, Any], files: dict[str, bytes] | None = None) -> School:
    """Restore a school's export (and the photos among its `files`); refused when the school
    or any account is already here, or a photo's bytes are not the ones its record kept."""
    if document.get("format") != entities.FORMAT or document.get("kind") != "school":
        raise ApiError(400, "not_a_school_export", "This is not a Lesson Loop school export.")
    _check_free(document)
    photos = _photo_bytes(document.get("photos") or [], files or {})
    for key, entity in (("school", "school"), *SCHOOL_LISTS_IN_ORDER):
        rows = document[key] if key != "school" else [document["school"]]
        values = [entities.from_json(entity, row) for row in rows]
        if values:
            db.session.execute(insert(entities.MODELS[entity]), values)
        if entity == "observation":
            _write_links(values)
    for key, data in photos.items():  # before the commit: at worst bytes without a record
        storage.store().put(key, data)
    db.session.commit()
    school = db.session.get(School, entities.from_json("school", document["school"])["id"])
    assert school is not None
    return school


# The lists in the order a restore writes them (foreign keys hold).
SCHOOL_LISTS_IN_ORDER = sorted(
    SCHOOL_LISTS.items(), key=lambda item: list(entities.MODELS).index(item[1])
)


def _check_free(document: dict[str, Any]) -> None:
    school = document["school"]
    taken = db.session.execute(
        select(School.id).where(
            (School.id == entities.from_json("school", school)["id"])
            | (func.lower(School.name) == school["name"].lower())
        )
    ).first()
    emails = [user["email"] for user in document["users"]]
    clash = db.session.execute(select(User.email).where(User.email.in_(emails))).first()
    if taken or clash:
        raise ApiError(
            409,
            "already_here",
            "This database already holds this school or one of its accounts: restore into "
            "an empty database.",
        )


def _write_links(observations: list[dict[str, Any]]) -> None:
    """The derived participant and focus rows that scope queries read."""
    people, focuses = [], []
    for obs in observations:
        roles: dict[str, str] = {}
        for person in obs["participants"] or []:
            roles.setdefault(person["user_id"], person["role"])
        people += [
            {"observation_id": obs["id"], "user_id": uuid.UUID(u), "role": r}
            for u, r in roles.items()
        ]
        focuses += [
            {"observation_id": obs["id"], "focus_id": uuid.UUID(f)}
            for f in dict.fromkeys(obs["focus_ids"] or [])
        ]
    if people:
        db.session.execute(insert(ObservationParticipant), people)
    if focuses:
        db.session.execute(insert(ObservationFocus), focuses)


def _photo_bytes(photos: list[dict[str, Any]], files: dict[str, bytes]) -> dict[str, bytes]:
    """Each kept photo's bytes from photos/ (by its store key), checked against its record."""
    by_id = {name.split("/", 1)[1].split(".", 1)[0]: data for name, data in files.items()
             if name.startswith("photos/")}  # fmt: skip
    found = {}
    for photo in photos:
        data = by_id.get(str(photo.get("id")))
        if data is None or not photo.get("stored_key") or photo.get("deleted"):
            continue
        if hashlib.sha256(data).hexdigest() != photo.get("stored_sha256"):
            raise ApiError(
                400, "photo_damaged", f"photos/{photo['id']} is not the photo its record kept."
            )
        found[str(photo["stored_key"])] = data
    return found
