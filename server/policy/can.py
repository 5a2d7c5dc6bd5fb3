"""What the reader may do with a pulled record: the `can` extension of a pull (README: leads).

Nothing here is a rule of its own: each function asks the write rules of `server.policy` that
push's checks ask (server.sync.checks), so that pull's `can` and what push accepts agree.
One function per entity; a tombstone carries no `can`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server import policy
from server.models import User


def can_observation(created_by: Any, fields: Mapping[str, Any], user: User) -> dict[str, bool]:
    """Observation: edit and delete (creator, participants), share (visibility), add notes."""
    edit = policy.may_change_observation(created_by, fields, user)
    share = edit and policy.may_set_visibility(fields, user)
    notes = policy.may_create_note(fields, user)
    return {"edit": edit, "share": share, "delete": edit, "add_notes": notes}


def can_note(created_by: Any, user: User) -> dict[str, bool]:
    """Note: its author edits and deletes it."""
    return dict.fromkeys(("edit", "delete"), policy.may_change_note(created_by, user))


def can_next_step(owner_id: str, obs: Mapping[str, Any] | None, user: User) -> dict[str, bool]:
    """Next step: its owner and its observation's participants."""
    return {"edit": policy.may_write_next_step(owner_id, obs, user)}


def can_focus(kind: str, owner_id: str | None, user: User) -> dict[str, bool]:
    """Focus: leads (school focuses), the owner (personal)."""
    return {"edit": policy.may_write_focus(kind, owner_id, user)}


def can_lookfor(user: User) -> dict[str, bool]:
    """Look-for: leads."""
    return {"edit": policy.may_write_lookfor(user)}


def can_visit(walk: Mapping[str, Any] | None, user: User) -> dict[str, bool]:
    """Visit: whoever may add notes to the walk."""
    return {"edit": walk is not None and policy.may_write_visit(walk, user)}
