"""Who may read and who may change each synced record: the rules of PROTOCOL.md, written once.

Read rules are SQL predicates over a record and a user. The user side may be literal values
(pull scoping: "what may I see?") or the `app_user` columns (audiences: "who may see this?"),
so the one rule serves both, and push checks reuse the audiences through `server.sync.audience`.
Write rules are plain functions over the record's fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true

from server.models import (
    Focus,
    NextStep,
    Note,
    Observation,
    ObservationFocus,
    ObservationParticipant,
    User,
)

LEAD_ROLES = ("lead", "admin")


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
        return cls(user.id, user.school_id, user.is_lead)

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


def school_wide(model: Any, reader: Reader) -> ColumnElement[bool]:
    """Look-fors, users and teams: the whole school."""
    clause: ColumnElement[bool] = model.school_id == reader.school_id
    return clause


# ---- write rules -----------------------------------------------------------------------


def participant_roles(observation_fields: Mapping[str, Any], user_id: uuid.UUID) -> set[str]:
    """The roles a user holds in an observation (from its `participants` field)."""
    uid = str(user_id)
    return {p["role"] for p in observation_fields.get("participants") or [] if p["user_id"] == uid}


def is_participant(observation_fields: Mapping[str, Any], user_id: uuid.UUID) -> bool:
    """Whether the user is listed among the observation's participants."""
    return bool(participant_roles(observation_fields, user_id))


def may_change_observation(created_by: uuid.UUID, fields: Mapping[str, Any], user: User) -> bool:
    """Its creator and its participants."""
    return created_by == user.id or is_participant(fields, user.id)


def has_observee(fields: Mapping[str, Any]) -> bool:
    """Whether anyone takes part as the observed teacher."""
    return any(p["role"] == "observee" for p in fields.get("participants") or [])


def may_set_visibility(fields: Mapping[str, Any], user: User) -> bool:
    """Only an observee may change visibility, where the observation has one."""
    return not has_observee(fields) or "observee" in participant_roles(fields, user.id)


def may_create_note(observation_fields: Mapping[str, Any], user: User) -> bool:
    """Participants of the observation may write notes on it."""
    return is_participant(observation_fields, user.id)


def may_change_note(created_by: uuid.UUID, user: User) -> bool:
    """Only a note's author may change or delete it."""
    return created_by == user.id


def may_write_next_step(
    owner_id: str, observation_fields: Mapping[str, Any] | None, user: User
) -> bool:
    """The owner, and the participants of its observation."""
    if owner_id == str(user.id):
        return True
    return observation_fields is not None and is_participant(observation_fields, user.id)


def may_write_focus(kind: str, owner_id: str | None, user: User) -> bool:
    """School focuses: leads; a personal focus: its owner."""
    if kind == "school":
        return user.is_lead
    return owner_id == str(user.id)


def may_write_lookfor(user: User) -> bool:
    """Look-fors belong to school focuses: leads."""
    return user.is_lead


def may_administer(user: User) -> bool:
    """Accounts and teams of a school: its admins."""
    return user.role == "admin"
