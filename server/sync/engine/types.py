"""The merge engine's data: frozen dataclasses holding JSON-compatible values only.

Field values are str, int, float, bool, None, lists and dicts of those. Mappings held by these
dataclasses are plain dicts (so they serialize as they are); treat them as read-only: the engine
never mutates a value it was given and always builds new ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .hlc import HLC

DELETED = "deleted"  # the tombstone flag: merged like a field, stored outside `fields`

Op = Literal["put", "delete"]
Status = Literal["applied", "merged"]


@dataclass(frozen=True)
class FieldMeta:
    """When (school-wide version and clock stamp) and by whom a field was last changed."""

    version: int
    hlc: str
    author_id: str


@dataclass(frozen=True)
class Conflict:
    """A value set aside by a concurrent edit, with its own stamp and author."""

    id: str
    field: str
    value: Any
    hlc: str
    author_id: str

    def to_json(self) -> dict[str, Any]:
        """The wire shape: exactly id, field, value, hlc and author_id."""
        return {
            "id": self.id,
            "field": self.field,
            "value": self.value,
            "hlc": self.hlc,
            "author_id": self.author_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Conflict:
        """Read the wire shape back (KeyError names a missing key)."""
        return cls(data["id"], data["field"], data["value"], data["hlc"], data["author_id"])


@dataclass(frozen=True)
class RecordState:
    """One synced record as the server holds it.

    `meta` has an entry per field ever set, plus DELETED once the tombstone flag has been set.
    """

    id: str
    version: int
    fields: Mapping[str, Any]
    deleted: bool
    meta: Mapping[str, FieldMeta]
    conflicts: tuple[Conflict, ...]


@dataclass(frozen=True)
class Mutation:
    """One pushed change; fields may hold DELETED (a bool) to restore or delete."""

    record_id: str
    op: Op
    base_version: int
    hlc: HLC
    fields: Mapping[str, Any]
    resolves: tuple[str, ...]
    author_id: str
    # Fields whose values were merged outside the engine (a text CRDT): they never conflict.
    premerged: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Outcome:
    """What merge made of a mutation; conflicts are data here, never exceptions."""

    state: RecordState
    changed: bool
    status: Status
    conflicts_added: tuple[Conflict, ...]
    clock_clamped: bool


def meta_to_json(meta: Mapping[str, FieldMeta]) -> dict[str, dict[str, Any]]:
    """Meta as compact JSON for a JSON column: {field: {"v": version, "h": hlc, "a": author}}."""
    return {name: {"v": m.version, "h": m.hlc, "a": m.author_id} for name, m in meta.items()}


def meta_from_json(data: Mapping[str, Mapping[str, Any]]) -> dict[str, FieldMeta]:
    """Read meta_to_json's shape back."""
    return {name: FieldMeta(m["v"], m["h"], m["a"]) for name, m in data.items()}


def conflicts_to_json(conflicts: Iterable[Conflict]) -> list[dict[str, Any]]:
    """A conflicts list in the wire shape, for a JSON column or a pull response."""
    return [conflict.to_json() for conflict in conflicts]


def conflicts_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[Conflict, ...]:
    """Read conflicts_to_json's shape back."""
    return tuple(Conflict.from_json(item) for item in data)
