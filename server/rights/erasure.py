"""Erasing a person (an admin's request, the name typed to confirm).

What goes: the account's personal data (name, email, password, settings, teams), every device and
push subscription, their personal focuses, their observations nobody else takes part in, and
their next steps on no observation; those records become tombstones (deleted, text emptied) with
new versions, so every device that held them drops them at its next pull. What stays: notes they
wrote on others' observations, for the people who took part, with the author shown as
"A former colleague" (the account row stays as that placeholder so authorship still resolves);
their display name and email are replaced by the same words in every text field of the school.
The audit trail keeps its rows (their device names are blanked) and records the erasure.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from server import audit
from server.accounts import forget
from server.attachment import Attachment
from server.errors import ApiError, NotFoundError
from server.extensions import db
from server.models import (
    Device,
    Eviction,
    Focus,
    Job,
    LoginFailure,
    NextStep,
    Note,
    Observation,
    ObservationParticipant,
    PushSubscription,
    User,
    UserTeam,
    utcnow,
)
from server.policy import people
from server.rights import jobs
from server.rights.tombstones import TEXT_FIELDS, tombstone, tombstone_photos
from server.sync import cotext
from server.sync.versions import VersionAllocator, write_transaction
from server.visits import Visit

FORMER = "A former colleague"


def _person(admin: User, person_id: uuid.UUID) -> User:
    person = db.session.execute(
        select(User).where(User.id == person_id, User.school_id == admin.school_id)
    ).scalar_one_or_none()
    if person is None:
        raise NotFoundError("There is no one with this id in your school.")
    return person


def check(admin: User, person: User, confirm_name: str) -> None:
    """Refuse an erasure that cannot be (each a clear 4xx; nothing changes)."""
    if person.erased_at is not None:
        raise ApiError(409, "already_erased", "This person has already been erased.")
    if not people.may_erase(admin, person):
        raise ApiError(403, "forbidden", "An admin cannot erase their own account.")
    if confirm_name.strip() != person.display_name:
        raise ApiError(
            400,
            "confirmation_mismatch",
            "Type the person's display name exactly as it is shown to confirm.",
        )


def erase(admin: User, person_id: uuid.UUID, confirm_name: str, device: Any) -> dict[str, Any]:
    """Erase a person of the admin's school; returns what was erased, by kind."""
    person = _person(admin, person_id)
    check(admin, person, confirm_name)
    name, email = person.display_name, person.email
    with write_transaction(admin.school_id) as versions:
        erased = _erase_records(person, versions)
        erased["texts_rewritten"] = scrub_texts(person.school_id, (name, email), versions)
        erased.update(_erase_account(person, versions))
        erased["exports"] = jobs.forget(person.id)
        row = audit.event(
            admin, device, audit.ERASURE, "user", person.id, subject_id=person.id, detail=erased
        )
        audit.append([row])
    return {"user_id": person.id, "erased": erased}


def _private_observations(person: User) -> list[uuid.UUID]:
    """Their observations that nobody else takes part in."""
    someone_else = select(ObservationParticipant.observation_id).where(
        ObservationParticipant.user_id != person.id
    )
    query = select(Observation.id).where(
        Observation.school_id == person.school_id,
        Observation.created_by == person.id,
        Observation.id.not_in(someone_else),
    )
    return list(db.session.execute(query).scalars())


def _erase_records(person: User, versions: VersionAllocator) -> dict[str, int]:
    observations = _private_observations(person)
    notes = _ids(Note, Note.observation_id.in_(observations))
    steps = _ids(
        NextStep,
        or_(
            NextStep.observation_id.in_(observations),
            (NextStep.owner_id == person.id) & NextStep.observation_id.is_(None),
        ),
    )
    focuses = _ids(Focus, Focus.owner_id == person.id, Focus.kind == "personal")
    return {
        "observations": tombstone(Observation, observations, versions),
        "notes": tombstone(Note, notes, versions),
        "visits": tombstone(Visit, _ids(Visit, Visit.observation_id.in_(observations)), versions),
        "photos": tombstone_photos(
            _ids(Attachment, Attachment.observation_id.in_(observations)), versions
        ),
        "next_steps": tombstone(NextStep, steps, versions),
        "personal_focuses": tombstone(Focus, focuses, versions),
    }


def _ids(model: Any, *where: Any) -> list[uuid.UUID]:
    return list(db.session.execute(select(model.id).where(*where)).scalars())


def scrub_texts(school_id: uuid.UUID, words: tuple[str, ...], versions: VersionAllocator) -> int:
    """Replace a name and an email wherever they were typed; each record changed gets a new
    version, so devices pull the new text."""
    pattern = re.compile("|".join(re.escape(w) for w in words if w), re.IGNORECASE)
    changed = 0
    for model, fields in TEXT_FIELDS.items():
        rows = db.session.execute(
            select(model).where(model.school_id == school_id, _mentions(model, fields, words))
        ).scalars()
        for row in list(rows):
            values: dict[str, Any] = {f: pattern.sub(FORMER, getattr(row, f) or "") for f in fields}
            conflicts = json.loads(pattern.sub(FORMER, json.dumps(row.conflicts or [])))
            if hasattr(model, "yjs"):  # the documents forget the old words too
                values["yjs"] = cotext.scrubbed(model.__tablename__, row.yjs, values)
            db.session.execute(
                update(model)
                .where(model.id == row.id)
                .values(conflicts=conflicts, version=versions.next(), **values)
            )
            changed += 1
    return changed


def _mentions(model: Any, fields: tuple[str, ...], words: tuple[str, ...]) -> Any:
    """Rows where a word occurs in a text field or a set-aside conflict (any letter case)."""
    columns = [getattr(model, f) for f in fields] + [model.conflicts.cast(db.Text)]
    return or_(
        *(
            func.lower(column).contains(word.lower(), autoescape=True)
            for column in columns
            for word in words
            if word
        )
    )


def _erase_account(person: User, versions: VersionAllocator) -> dict[str, int]:
    """The account becomes the placeholder "A former colleague"; devices and more go."""
    devices = _ids(Device, Device.user_id == person.id)
    subscriptions = db.session.execute(
        select(func.count()).where(PushSubscription.user_id == person.id)
    ).scalar_one()
    words = (person.display_name, person.email)
    db.session.execute(
        update(audit.AuditEvent)
        .where(audit.AuditEvent.device_id.in_(devices))
        .values(device_name="")
    )
    _drop_jobs_naming(person.school_id, words)
    db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == person.id))
    db.session.execute(delete(Device).where(Device.user_id == person.id))
    db.session.execute(delete(Eviction).where(Eviction.user_id == person.id))
    db.session.execute(delete(UserTeam).where(UserTeam.user_id == person.id))
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == person.email))
    db.session.execute(
        update(User)
        .where(User.id == person.id)
        .values(
            display_name=FORMER,
            email=f"erased-{person.id.hex}@erased.invalid",
            password_hash="!erased",
            role=people.ERASED_ROLE,
            active=False,
            notify_prefs={},
            phrases=[],
            erased_at=utcnow(),
            version=versions.next(),
        )
    )
    return {
        "devices": len(devices),
        "push_subscriptions": int(subscriptions),
        **forget.sign_in_secrets(person.id),
    }


def _drop_jobs_naming(school_id: uuid.UUID, words: tuple[str, ...]) -> None:
    """Reminder messages (queued or kept as sent) and exports that hold the name or email."""
    jobs = db.session.execute(select(Job).where(Job.school_id == school_id)).scalars()
    doomed = [
        job.id
        for job in jobs
        if any(w.lower() in json.dumps(job.payload, ensure_ascii=False).lower() for w in words)
    ]
    if doomed:
        db.session.execute(delete(Job).where(Job.id.in_(doomed)))
