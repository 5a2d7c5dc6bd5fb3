"""Push's checks: gather the facts a mutation's rule needs, then ask server.policy.

A check either passes or raises `Rejected` (the mutation is answered `rejected`, its seq still
consumed). The checks also make sure the records a mutation names exist in the pusher's
school: a reference to another school's record is `unknown_reference`, never a leak.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from server import policy
from server.extensions import db
from server.models import Team
from server.sync.batch import Batch, Entry


class Rejected(Exception):
    """A mutation that cannot be applied; it still consumes its seq."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.error: dict[str, Any] = {"code": code, "message": message}
        if details:
            self.error["details"] = details


def _forbid(message: str) -> Rejected:
    return Rejected("forbidden", message)


def _unknown(message: str, name: str, values: Any) -> Rejected:
    return Rejected("unknown_reference", message, {name: values})


def check_fixed_fields(entity: str, entry: Entry | None, fields: dict[str, Any]) -> None:
    """Fields fixed after creation (policy.FIXED_FIELDS) keep their value."""
    current = entry.state.fields if entry else None
    for name in policy.fixed_fields_changed(entity, current, fields):
        raise Rejected(
            "immutable_field",
            f"A {entity}'s {name} cannot change after it is created.",
            {"fields": {name: ["Cannot change."]}},
        )


def check_rules(batch: Batch, entity: str, entry: Entry | None, fields: dict[str, Any]) -> None:
    """Who may create or change this record, and do the records it names exist here."""
    RULES[entity](batch, entry, fields)


def _check_observation(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    user = batch.user
    if entry is not None and not policy.may_change_observation(
        entry.created_by, entry.state.fields, user
    ):
        raise _forbid("Only the observation's creator and participants may change it.")
    if (
        entry is not None
        and "participants" in fields
        and not policy.may_change_observees(entry.state.fields, fields["participants"], user)
    ):
        raise _forbid("Only the observed teacher may change who is observed.")
    current = entry.state.fields if entry else fields
    visibility = entry.state.fields["visibility"] if entry else "participants"
    if fields.get("visibility", visibility) != visibility and not policy.may_set_visibility(
        current, user
    ):
        raise _forbid("Only the observed teacher may choose whether leads see this observation.")
    if "participants" in fields:
        members = batch.users()
        unknown = [p["user_id"] for p in fields["participants"] if p["user_id"] not in members]
        if unknown:
            raise _unknown("A participant is not a member of this school.", "participants", unknown)
    if fields.get("focus_ids"):
        after = {**current, **fields}
        people = {p["user_id"] for p in after.get("participants") or []} | {str(user.id)}
        for focus_id in fields["focus_ids"]:
            _check_focus_reference(batch, focus_id, people, "focus_ids")


def _check_focus_reference(batch: Batch, focus_id: str, people: set[str], name: str) -> None:
    focus = batch.in_school("focus", focus_id)
    if focus is None:
        raise _unknown("There is no such focus in this school.", name, [focus_id])
    kind, owner = focus.state.fields["kind"], focus.state.fields.get("owner_id")
    if not policy.may_use_focus(kind, owner, people):
        raise _unknown(
            "A personal focus can only be used by its owner's observations.", name, [focus_id]
        )


def _check_note(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    user = batch.user
    if entry is not None:
        if not policy.may_change_note(entry.created_by, user):
            raise _forbid("Only a note's author may change or delete it.")
    else:
        observation = batch.in_school("observation", fields["observation_id"])
        if observation is None:
            raise _unknown(
                "There is no such observation in this school.",
                "observation_id",
                [fields["observation_id"]],
            )
        if not policy.may_create_note(observation.state.fields, user):
            raise _forbid("Only the observation's participants may write notes on it.")
    _check_note_visit(batch, entry, fields)
    lookfor_id = fields.get("lookfor_id")
    if lookfor_id and batch.in_school("lookfor", lookfor_id) is None:
        raise _unknown("There is no such look-for in this school.", "lookfor_id", [lookfor_id])


def _check_next_step(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    user = batch.user
    if entry is not None:
        current = entry.state.fields
        observation = _observation_fields(batch, current.get("observation_id"))
        if not policy.may_write_next_step(current["owner_id"], observation, user):
            raise _forbid(
                "Only the next step's owner and its observation's participants may change it."
            )
    after = {**(entry.state.fields if entry else {}), **fields}
    if after["owner_id"] not in batch.users():
        raise _unknown("The owner is not a member of this school.", "owner_id", [after["owner_id"]])
    observation_fields = None
    if after.get("observation_id"):
        observation_fields = _observation_fields(batch, after["observation_id"])
        if observation_fields is None:
            raise _unknown(
                "There is no such observation in this school.",
                "observation_id",
                [after["observation_id"]],
            )
        _check_step_link(batch, entry, fields)
    if not policy.may_write_next_step(after["owner_id"], observation_fields, user):
        raise _forbid("A next step is yours, or one of an observation you take part in.")
    if fields.get("focus_id"):
        people = {after["owner_id"], str(user.id)}
        _check_focus_reference(batch, fields["focus_id"], people, "focus_id")


def _check_step_link(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    """A next step newly linked to an observation: its creator and the pusher must read it."""
    link = fields.get("observation_id")
    if not link or (entry is not None and link == entry.state.fields.get("observation_id")):
        return
    creator = entry.created_by if entry else batch.user.id
    readers = batch.observation_readers(link, {creator, batch.user.id})
    if batch.user.id not in readers:  # as if it did not exist: its existence is not told
        raise _unknown("There is no such observation in this school.", "observation_id", [link])
    if not policy.may_link_next_step(creator, batch.user, readers):
        raise _forbid("The next step's author cannot see that observation, so it cannot go there.")


def _observation_fields(batch: Batch, observation_id: str | None) -> dict[str, Any] | None:
    observation = batch.in_school("observation", observation_id)
    return dict(observation.state.fields) if observation else None


def _check_focus(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    user = batch.user
    if entry is not None:
        current = entry.state.fields
        if not policy.may_write_focus(current["kind"], current.get("owner_id"), user):
            raise _forbid("School focuses are set by leads; a personal focus by its owner.")
        return
    owner = policy.focus_owner(fields["kind"], fields.get("owner_id"), user)
    if owner is not None:
        fields["owner_id"] = owner
    if fields["kind"] == "school" and owner is not None:
        raise Rejected(
            "validation_error",
            "A school focus has no owner.",
            {"fields": {"owner_id": ["Must be null for a school focus."]}},
        )
    if not policy.may_write_focus(fields["kind"], owner, user):
        raise _forbid("School focuses are set by leads; a personal focus by its owner.")


def _check_lookfor(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    if not policy.may_write_lookfor(batch.user):
        raise _forbid("Look-fors are set by leads.")
    if "focus_id" in fields:
        focus = batch.in_school("focus", fields["focus_id"])
        if focus is None or not policy.may_hold_lookfor(focus.state.fields["kind"]):
            raise _unknown(
                "A look-for belongs to a school focus of this school.",
                "focus_id",
                [fields["focus_id"]],
            )


def _check_attachment(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    """A photo: added to an observation one takes part in (on one's own note), then its own."""
    if entry is not None:
        if not policy.may_change_attachment(entry.created_by, batch.user):
            raise _forbid("Only whoever added a photo may change or delete it.")
        return
    observation = batch.in_school("observation", fields["observation_id"])
    if observation is None:
        raise _unknown(
            "There is no such observation in this school.",
            "observation_id",
            [fields["observation_id"]],
        )
    note_id, author = fields.get("note_id"), None
    if note_id:
        note = batch.in_school("note", note_id)
        if note is None or note.state.fields["observation_id"] != fields["observation_id"]:
            raise _unknown("There is no such note on this observation.", "note_id", [note_id])
        author = note.created_by
    if not policy.may_create_attachment(observation.state.fields, author, batch.user):
        raise _forbid("Photos are added by the observation's participants, on their own notes.")


# ---- a learning walk's visits (README: leads) ------------------------------------------------


def _check_visit(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    after = {**(entry.state.fields if entry else {}), **fields}
    walk = batch.in_school("observation", after["observation_id"])
    if walk is None:
        raise _unknown(
            "There is no such observation in this school.",
            "observation_id",
            [after["observation_id"]],
        )
    if not policy.may_write_visit(walk.state.fields, batch.user):
        raise _forbid("Only the walk's participants may record its visits.")
    if not policy.may_hold_visit(walk.state.fields):
        raise _unknown(
            "A visit belongs to a learning walk.", "observation_id", [after["observation_id"]]
        )
    team_id = fields.get("team_id")
    if (
        team_id
        and not db.session.execute(
            select(Team.id).where(
                Team.id == uuid.UUID(team_id), Team.school_id == batch.user.school_id
            )
        ).first()
    ):
        raise _unknown("There is no such team in this school.", "team_id", [team_id])


def _check_note_visit(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    """A note's visit: a live visit of the note's own observation."""
    visit_id = fields.get("visit_id")
    if not visit_id:
        return
    observation_id = (entry.state.fields if entry else fields)["observation_id"]
    visit = batch.in_school("visit", visit_id)
    if (
        visit is None
        or visit.state.deleted
        or not policy.may_name_visit(observation_id, visit.state.fields)
    ):
        raise _unknown("A note names a visit of its own walk.", "visit_id", [visit_id])


RULES: dict[str, Callable[[Batch, Entry | None, dict[str, Any]], None]] = {
    "observation": _check_observation,
    "note": _check_note,
    "next_step": _check_next_step,
    "focus": _check_focus,
    "lookfor": _check_lookfor,
    "attachment": _check_attachment,
    "visit": _check_visit,
}
