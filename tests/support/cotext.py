"""A test device's copy of a co-written text: a pycrdt document, as Yjs keeps it in the PWA."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import pycrdt

ROOT = "text"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def text_of_state(state: str) -> str:
    """The text of a document state as pulled (base64)."""
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    doc.apply_update(base64.b64decode(state))
    return str(doc.get(ROOT, type=pycrdt.Text))


@dataclass
class Replica:
    """One device's document of one field; edits are taken by character index."""

    doc: pycrdt.Doc[Any] = field(default_factory=pycrdt.Doc)

    @classmethod
    def pulled(cls, change: dict[str, Any], name: str) -> Replica:
        replica = cls()
        replica.apply(change["yjs"][name])
        return replica

    @property
    def root(self) -> pycrdt.Text:
        return self.doc.get(ROOT, type=pycrdt.Text)

    @property
    def text(self) -> str:
        return str(self.root)

    def apply(self, state: str) -> None:
        self.doc.apply_update(base64.b64decode(state))

    def _offset(self, index: int) -> int:
        return len(self.text[:index].encode())  # pycrdt counts UTF-8 bytes

    def insert(self, index: int, words: str) -> str:
        """Insert at a character index; the edit as a base64 Yjs update."""
        before = self.doc.get_state()
        self.root.insert(self._offset(index), words)
        return b64(self.doc.get_update(before))

    def delete(self, start: int, end: int) -> str:
        """Delete characters [start, end); the edit as a base64 Yjs update."""
        before = self.doc.get_state()
        del self.root[self._offset(start) : self._offset(end)]
        return b64(self.doc.get_update(before))


def edit(update: str) -> dict[str, str]:
    """A co-written field's value in a push: a Yjs edit."""
    return {"yjs": update}
