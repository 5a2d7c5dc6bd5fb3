"""When who may see what changes: evictions for who loses a record, new versions for who gains.

A record's readers are computed from `server.policy`'s read rules. Someone who loses sight of
a record gets an `eviction` row (pulled once as `evicted`), unless they still see it another
way. When someone gains sight of an observation, its notes, next steps and personal focuses
take new version numbers, so that pulls from an older cursor carry them again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, insert, select, true, update

from server import policy
from server.extensions import db
from server.models import (
    Attachment,
    Eviction,
    Focus,
    Lookfor,
    NextStep,
    Note,
    Observation,
    ObservationFocus,
    ObservationParticipant,
    User,
)
from server.policy import Reader
from server.sync.versions import VersionAllocator
from server.visits import Visit


def audience(entity: str, record_id: uuid.UUID) -> set[uuid.UUID]:
    """Every user who may read the record now."""
    model, rule = policy.READ_RULES[entity]
    visible = exists().where(model.id == record_id, rule(Reader.any_user()))
    return set(db.session.execute(select(User.id).where(visible)).scalars())


def still_readable(user: User, entity: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these records the user may read now."""
    if not ids:
        return set()
    model, rule = policy.READ_RULES[entity]
    query = select(model.id).where(model.id.in_(ids), rule(Reader.of(user)))
    return set(db.session.execute(query).scalars())


@dataclass
class ObservationScope:
    """Who saw an observation and each personal focus it uses, before a change."""

    readers: set[uuid.UUID] = field(default_factory=set)
    focus_readers: dict[uuid.UUID, set[uuid.UUID]] = field(default_factory=dict)


def _personal_focus_ids(observation_id: uuid.UUID) -> list[uuid.UUID]:
    query = (
        select(ObservationFocus.focus_id)
        .join(Focus, Focus.id == ObservationFocus.focus_id)
        .where(ObservationFocus.observation_id == observation_id, Focus.kind == "personal")
    )
    return list(db.session.execute(query).scalars())


def observation_scope(observation_id: uuid.UUID) -> ObservationScope:
    """Snapshot the readers of an observation and of its personal focuses."""
    return ObservationScope(
        readers=audience("observation", observation_id),
        focus_readers={f: audience("focus", f) for f in _personal_focus_ids(observation_id)},
    )


def observation_scope_changed(
    school_id: uuid.UUID,
    observation_id: uuid.UUID,
    before: ObservationScope,
    versions: VersionAllocator,
) -> None:
    """Evict for whoever lost sight of the observation or its focuses; re-send to who gained."""
    after = observation_scope(observation_id)
    lost = before.readers - after.readers
    if after.readers - before.readers:
        bump_children(observation_id, versions)
    for focus_id in set(before.focus_readers) | set(after.focus_readers):
        old = before.focus_readers.get(focus_id, set())
        new = after.focus_readers.get(focus_id) or audience("focus", focus_id)
        if new - old:
            bump(Focus, [focus_id], versions)
        lost |= old - new
    for user in _users(lost):
        evict_unreadable(
            user, _observation_family(observation_id, focus_ids=set(before.focus_readers)), versions
        )


def _users(ids: set[uuid.UUID]) -> list[User]:
    if not ids:
        return []
    return list(db.session.execute(select(User).where(User.id.in_(ids))).scalars())


def _observation_family(
    observation_id: uuid.UUID, focus_ids: set[uuid.UUID]
) -> dict[str, list[uuid.UUID]]:
    """The records whose visibility follows an observation's."""
    notes = db.session.execute(
        select(Note.id).where(Note.observation_id == observation_id)
    ).scalars()
    steps = db.session.execute(
        select(NextStep.id).where(NextStep.observation_id == observation_id)
    ).scalars()
    photos = db.session.execute(
        select(Attachment.id).where(Attachment.observation_id == observation_id)
    ).scalars()
    visits = db.session.execute(select(Visit.id).where(Visit.observation_id == observation_id))
    return {
        "observation": [observation_id],
        "note": list(notes),
        "next_step": list(steps),
        "attachment": list(photos),
        "visit": list(visits.scalars()),
        "focus": sorted(focus_ids | set(_personal_focus_ids(observation_id))),
    }


def evict_unreadable(
    user: User, family: dict[str, list[uuid.UUID]], versions: VersionAllocator
) -> None:
    """Write evictions for the records of `family` the user can no longer read."""
    rows = []
    for entity, ids in family.items():
        keep = still_readable(user, entity, ids)
        for record_id in ids:
            if record_id not in keep:
                rows.append(
                    {
                        "school_id": user.school_id,
                        "user_id": user.id,
                        "entity": entity,
                        "record_id": record_id,
                        "version": versions.next(),
                    }
                )
    if rows:
        db.session.execute(insert(Eviction), rows)


def bump(model: Any, ids: list[uuid.UUID], versions: VersionAllocator) -> None:
    """Give records new, distinct version numbers without changing them."""
    for record_id in ids:
        db.session.execute(
            update(model).where(model.id == record_id).values(version=versions.next())
        )


def bump_children(
    observation_id: uuid.UUID,
    versions: VersionAllocator,
    models: tuple[Any, ...] = (Note, NextStep, Visit, Attachment),
) -> None:
    """New versions for every note, next step, visit and photo of an observation."""
    for model in models:
        count = db.session.execute(
            select(func.count()).select_from(model).where(model.observation_id == observation_id)
        ).scalar_one()
        if not count:
            continue
        base = versions.current
        other = model.__table__.alias("sibling")
        rank = (
            select(func.count())
            .select_from(other)
            .where(other.c.observation_id == observation_id, other.c.id <= model.id)
            .scalar_subquery()
        )
        db.session.execute(
            update(model).where(model.observation_id == observation_id).values(version=base + rank),
            execution_options={"synchronize_session": False},
        )
        versions.current = base + int(count)


def next_step_scope_changed(
    step_id: uuid.UUID, before: set[uuid.UUID], versions: VersionAllocator
) -> None:
    """After a next step's owner or observation changed: evict for whoever lost it."""
    lost = before - audience("next_step", step_id)
    for user in _users(lost):
        evict_unreadable(user, {"next_step": [step_id]}, versions)


def _shared_with_leads_not_involving(user: User) -> list[uuid.UUID]:
    involved = exists().where(
        ObservationParticipant.observation_id == Observation.id,
        ObservationParticipant.user_id == user.id,
    )
    query = select(Observation.id).where(
        Observation.school_id == user.school_id,
        Observation.visibility == "leads",
        Observation.created_by != user.id,
        ~involved,
    )
    return list(db.session.execute(query).scalars())


def lead_role_changed(user: User, versions: VersionAllocator) -> None:
    """A user became, or stopped being, a lead: what was shared with leads arrives or goes."""
    observation_ids = _shared_with_leads_not_involving(user)
    resend_lead_rules(user.school_id, versions)
    for observation_id in observation_ids:
        if policy.is_lead(user):
            bump(Observation, [observation_id], versions)
            bump_children(observation_id, versions)
            bump(Focus, _personal_focus_ids(observation_id), versions)
        else:
            evict_unreadable(user, _observation_family(observation_id, set()), versions)


# ---- `can` (server.sync.permissions): records come again when a rule's answer changes -------


def resend_lead_rules(school_id: uuid.UUID, versions: VersionAllocator) -> None:
    """A user became, or stopped being, a lead: what they may do with the school's focuses
    and look-fors changed, so those few records take new versions (everyone pulls them again)."""
    for model, extra in ((Focus, Focus.kind == "school"), (Lookfor, true())):
        ids = select(model.id).where(model.school_id == school_id, extra).order_by(model.id)
        bump(model, list(db.session.execute(ids).scalars()), versions)


def participants_changed(
    observation_id: uuid.UUID, before: Any, after: Any, versions: VersionAllocator
) -> None:
    """Who takes part decides who may change the observation's next steps and visits: they
    come again (`before`: the participants before the write, None for a new observation)."""
    if before is not None and before != after.fields.get("participants"):
        bump_children(observation_id, versions, models=(NextStep, Visit))
