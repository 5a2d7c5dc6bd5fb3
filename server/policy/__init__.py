"""The rule book: who may read, change, share and download what (PROTOCOL.md), written once.

Everything else gathers facts and asks here: pull and audiences (read rules), push's checks
(write rules), report downloads, the admin API and reminders' recipients.

Read rules are SQL predicates over a record and a user. The user side may be literal values
(pull scoping: "what may I see?") or the `app_user` columns (audiences: "who may see this?"),
so the one rule serves both. `READ_RULES` maps each entity to its rule, and `SCOPE_FIELDS`
names the fields those rules read, so a change to them re-checks who sees what.
Write rules are plain functions over the record's fields; each states its rule in one line.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true

from schemas.records import PHOTO_FIXED_FIELDS, READ_ONLY_ENTITIES
from server.models import (
    Attachment,
    Focus,
    Lookfor,
    NextStep,
    Note,
    Observation,
    ObservationFocus,
    ObservationParticipant,
    Team,
    User,
)
from server.visits import Visit

LEAD_ROLES = ("lead", "admin")
ADMIN_ROLE = "admin"


def role_is_lead(role: str) -> bool:
    """Leads lead the school, and so do its admins."""
    return role in LEAD_ROLES


def is_lead(user: User) -> bool:
    """A lead or an admin (see role_is_lead)."""
    return role_is_lead(user.role)


@dataclass(frozen=True)
class Reader:
    """The user side of a read rule: literal values, or columns of `app_user`."""

    user_id: Any
    school_id: Any
    is_lead: Any
    # The ids of the observations this reader sees, when a statement computes them once (a CTE)
    # for several rules; None: each rule states them itself.
    observations: Any = None

    @classmethod
    def of(cls, user: User) -> Reader:
        """A signed-in user, as literal values."""
        return cls(user.id, user.school_id, is_lead(user))

    @classmethod
    def any_user(cls) -> Reader:
        """Every user of the database (correlated with `app_user`)."""
        return cls(User.id, User.school_id, User.role.in_(LEAD_ROLES))


def _lead_clause(reader: Reader) -> ColumnElement[bool]:
    if isinstance(reader.is_lead, bool):
        return true() if reader.is_lead else false()
    clause: ColumnElement[bool] = reader.is_lead
    return clause


def observation_readable(reader: Reader, obs: Any = Observation) -> ColumnElement[bool]:
    """Creator, participants, and leads when shared with leads."""
    # correlate_except: the user side may be `app_user` of a query two levels up (audiences),
    # which automatic correlation does not reach.
    participant = (
        exists()
        .where(
            ObservationParticipant.observation_id == obs.id,
            ObservationParticipant.user_id == reader.user_id,
        )
        .correlate_except(ObservationParticipant)
    )
    return and_(
        obs.school_id == reader.school_id,
        # Cheapest first: the participant lookup runs only when the others are false.
        or_(
            obs.created_by == reader.user_id,
            and_(obs.visibility == "leads", _lead_clause(reader)),
            participant,
        ),
    )


def readable_observation_ids(reader: Reader) -> Select[uuid.UUID]:
    """The ids of observations the reader sees."""
    if reader.observations is not None:
        computed: Select[uuid.UUID] = reader.observations
        return computed
    return select(Observation.id).where(observation_readable(reader)).correlate_except(Observation)


def note_readable(reader: Reader) -> ColumnElement[bool]:
    """A note is seen by whoever sees its observation."""
    return and_(
        Note.school_id == reader.school_id,
        Note.observation_id.in_(readable_observation_ids(reader)),
    )


def next_step_readable(reader: Reader) -> ColumnElement[bool]:
    """Its owner, and whoever sees its observation."""
    return and_(
        NextStep.school_id == reader.school_id,
        or_(
            NextStep.owner_id == reader.user_id,
            NextStep.observation_id.in_(readable_observation_ids(reader)),
        ),
    )


def visit_readable(reader: Reader) -> ColumnElement[bool]:
    """A walk's visit is seen by whoever sees the walk (README: leads)."""
    return and_(
        Visit.school_id == reader.school_id,
        Visit.observation_id.in_(readable_observation_ids(reader)),
    )


def focus_readable(reader: Reader) -> ColumnElement[bool]:
    """School focuses: everyone; personal: the owner and whoever sees an observation using it."""
    used_by_visible = (
        select(ObservationFocus.focus_id)
        .where(ObservationFocus.observation_id.in_(readable_observation_ids(reader)))
        .correlate_except(ObservationFocus)
    )
    return and_(
        Focus.school_id == reader.school_id,
        or_(
            Focus.kind == "school", Focus.owner_id == reader.user_id, Focus.id.in_(used_by_visible)
        ),
    )


def own_focuses(school_id: Any) -> ColumnElement[bool]:
    """Every teacher's own focuses in a school at once: each personal focus (for its owner)
    and the school's focuses (for everyone). For a reader asking only for their own personal
    focuses and the school's, `focus_readable` is exactly this (the owner and "school" terms
    pass), so the weekly reflection reads the whole school's in one query."""
    return and_(
        Focus.school_id == school_id,
        or_(
            and_(Focus.kind == "personal", Focus.owner_id.is_not(None)),
            and_(Focus.kind == "school", Focus.owner_id.is_(None)),
        ),
    )


def attachment_readable(reader: Reader) -> ColumnElement[bool]:
    """A photo is seen by whoever sees its observation (and so its note)."""
    return and_(
        Attachment.school_id == reader.school_id,
        Attachment.observation_id.in_(readable_observation_ids(reader)),
    )


def school_wide(model: Any, reader: Reader) -> ColumnElement[bool]:
    """Look-fors, users and teams: the whole school."""
    clause: ColumnElement[bool] = model.school_id == reader.school_id
    return clause


class ReadRule(NamedTuple):
    """An entity's table and its read rule."""

    model: Any
    clause: Callable[[Reader], ColumnElement[bool]]


def _school_wide_rule(model: Any) -> Callable[[Reader], ColumnElement[bool]]:
    return lambda reader: school_wide(model, reader)


READ_RULES: dict[str, ReadRule] = {
    "observation": ReadRule(Observation, observation_readable),
    "note": ReadRule(Note, note_readable),
    "next_step": ReadRule(NextStep, next_step_readable),
    "focus": ReadRule(Focus, focus_readable),
    "lookfor": ReadRule(Lookfor, _school_wide_rule(Lookfor)),
    "user": ReadRule(User, _school_wide_rule(User)),
    "team": ReadRule(Team, _school_wide_rule(Team)),
    "attachment": ReadRule(Attachment, attachment_readable),
    "visit": ReadRule(Visit, visit_readable),
}
# The fields the read rules above depend on: changing one may change who sees what.
SCOPE_FIELDS: dict[str, frozenset[str]] = {
    "observation": frozenset({"participants", "visibility", "focus_ids"}),
    "next_step": frozenset({"owner_id", "observation_id"}),
}


def changes_scope(entity: str, fields: Mapping[str, Any], *, new: bool) -> bool:
    """Whether a write may change who sees this record (or, for a new record, who sees it)."""
    return entity in SCOPE_FIELDS and (new or bool(SCOPE_FIELDS[entity] & fields.keys()))


# ---- write rules (PROTOCOL.md's table, one function per row) -------------------------------

# Fields fixed once a record exists: a note stays on its observation, a focus keeps its kind.
FIXED_FIELDS: dict[str, tuple[str, ...]] = {
    "note": ("observation_id",),
    "focus": ("kind", "owner_id"),
    "attachment": PHOTO_FIXED_FIELDS,  # a photo's place and bytes: only its caption changes
    "visit": ("observation_id",),
}


def may_sync_write(entity: str) -> bool:
    """Users and teams are the admin API's directory: sync reads them and writes the rest."""
    return entity not in READ_ONLY_ENTITIES


def fixed_fields_changed(
    entity: str, current: Mapping[str, Any] | None, incoming: Mapping[str, Any]
) -> list[str]:
    """The fields fixed after creation that this write would change."""
    if current is None:
        return []
    return [
        name
        for name in FIXED_FIELDS.get(entity, ())
        if name in incoming and incoming[name] != current.get(name)
    ]


def participant_roles(observation_fields: Mapping[str, Any], user_id: uuid.UUID) -> set[str]:
    """The roles a user holds in an observation (from its `participants` field)."""
    uid = str(user_id)
    return {p["role"] for p in observation_fields.get("participants") or [] if p["user_id"] == uid}


def is_participant(observation_fields: Mapping[str, Any], user_id: uuid.UUID) -> bool:
    """Whether the user is listed among the observation's participants."""
    return bool(participant_roles(observation_fields, user_id))


def may_change_observation(created_by: uuid.UUID, fields: Mapping[str, Any], user: User) -> bool:
    """Observation: its creator and its participants may change or delete it."""
    return created_by == user.id or is_participant(fields, user.id)


def has_observee(fields: Mapping[str, Any]) -> bool:
    """Whether anyone takes part as the observed teacher."""
    return any(p["role"] == "observee" for p in fields.get("participants") or [])


def may_set_visibility(fields: Mapping[str, Any], user: User) -> bool:
    """Observation: only an observee may change visibility, where the observation has one."""
    return not has_observee(fields) or "observee" in participant_roles(fields, user.id)


def observees(fields: Mapping[str, Any]) -> set[str]:
    """The ids of the observed teachers (participants with the `observee` role)."""
    return {p["user_id"] for p in fields.get("participants") or [] if p["role"] == "observee"}


def may_change_observees(
    current: Mapping[str, Any], participants: list[Mapping[str, Any]], user: User
) -> bool:
    """Observation: once it has an observee, only an observee may add, remove or change an
    `observee` role (so no one else can make themselves the one who shares it with leads)."""
    before = observees(current)
    after = observees({"participants": participants})
    return not before or after == before or str(user.id) in before


def may_create_note(observation_fields: Mapping[str, Any], user: User) -> bool:
    """Note: the participants of its observation may write one."""
    return is_participant(observation_fields, user.id)


def may_change_note(created_by: uuid.UUID, user: User) -> bool:
    """Note: only its author may change or delete it."""
    return created_by == user.id


def may_create_attachment(
    observation_fields: Mapping[str, Any], note_author: uuid.UUID | None, user: User
) -> bool:
    """Photo: the participants of its observation add one; on a note, only the note's author."""
    return is_participant(observation_fields, user.id) and note_author in (None, user.id)


def may_change_attachment(created_by: uuid.UUID, user: User) -> bool:
    """Photo: only whoever added it may change its caption, delete it or upload its bytes."""
    return created_by == user.id


def may_write_next_step(
    owner_id: str, observation_fields: Mapping[str, Any] | None, user: User
) -> bool:
    """Next step: its owner, and the participants of its observation."""
    if owner_id == str(user.id):
        return True
    return observation_fields is not None and is_participant(observation_fields, user.id)


def observation_readers(observation_id: str, user_ids: set[uuid.UUID]) -> Select[Any]:
    """Which of these users may read the observation (observation_readable, asked per user)."""
    return (
        select(User.id)
        .join_from(User, Observation, Observation.id == uuid.UUID(observation_id))
        .where(User.id.in_(user_ids), observation_readable(Reader.any_user()))
    )


def may_link_next_step(creator_id: uuid.UUID, user: User, readers: set[uuid.UUID]) -> bool:
    """Next step: it may name an observation only if its creator, and whoever sets the link,
    can read that observation (its text then shows to that observation's readers)."""
    return creator_id in readers and user.id in readers


def may_write_focus(kind: str, owner_id: str | None, user: User) -> bool:
    """Focus: a school focus is set by leads; a personal focus by its owner."""
    if kind == "school":
        return is_lead(user)
    return owner_id == str(user.id)


def focus_owner(kind: str, owner_id: str | None, user: User) -> str | None:
    """Focus: a new personal focus with no owner named is the writer's own."""
    return str(user.id) if kind == "personal" and owner_id is None else owner_id


def may_write_visit(walk_fields: Mapping[str, Any], user: User) -> bool:
    """Visit: whoever may add notes to the walk (its participants)."""
    return may_create_note(walk_fields, user)


def may_hold_visit(observation_fields: Mapping[str, Any]) -> bool:
    """A visit belongs to a learning walk."""
    return observation_fields.get("kind") == "learning_walk"


def may_name_visit(note_observation_id: Any, visit_fields: Mapping[str, Any]) -> bool:
    """Note: its `visit_id` names a visit of the note's own observation."""
    return str(visit_fields.get("observation_id")) == str(note_observation_id)


def may_write_lookfor(user: User) -> bool:
    """Look-for: look-fors belong to school focuses, so leads set them."""
    return is_lead(user)


# ---- allowed references -------------------------------------------------------------------


def may_use_focus(kind: str, owner_id: str | None, people: set[str]) -> bool:
    """A school focus serves any record; a personal focus only its owner's records."""
    return kind != "personal" or owner_id in people


def may_hold_lookfor(focus_kind: str) -> bool:
    """A look-for belongs to a school focus."""
    return focus_kind == "school"


# ---- reports and administration -----------------------------------------------------------


def may_download_learning_record(user: User, teacher_id: uuid.UUID) -> bool:
    """A teacher's learning record: the teacher, and leads (who see what was shared)."""
    return teacher_id == user.id or is_lead(user)


def may_download_school_report(user: User) -> bool:
    """The focus report and the action plan are the school's picture: leads."""
    return is_lead(user)


def may_administer(user: User) -> bool:
    """Accounts and teams of a school: its admins."""
    return role_is_admin(user.role)


def role_is_admin(role: str) -> bool:
    """Admins run the school's accounts and teams (and lead it too)."""
    return role == ADMIN_ROLE


# The person's rights, school sign-in and the second factor: server/policy/people.py.
