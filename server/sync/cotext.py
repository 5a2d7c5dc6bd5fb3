"""Co-written text: the shared long texts merge character by character, as Yjs documents.

Data model: each co-written field (FIELDS) of a record has one document, a Yjs `Y.Doc` whose
root `Y.Text` is named "text", held in the record's `yjs` column as {field: base64 of the
document's full state as a Yjs update, v1}. The field's value is the document's text.

Merge rule: a push may give such a field as {"yjs": "<base64 update>"}; the update is merged
into the stored state (pycrdt's merge_updates: commutative and idempotent, and unlike a Doc's
own encoding it keeps structs whose dependencies have not arrived yet), so edits never conflict
and the merge engine takes the merged text as seen (Mutation.premerged). A plain string goes
through the merge engine's rules as any value does; when it becomes the field's value, the
document is brought to it by one minimal edit (common prefix and suffix kept), so that later
Yjs edits merge from it. A document only ever grows from the server's, so no device ever seeds
its own copy of a text that others hold (two seeds of one text would merge into it twice).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pycrdt
from marshmallow import ValidationError

from schemas.base import TEXT_MAX, CoText
from schemas.records import RECORD_SCHEMAS
from server.sync.checks import Rejected

# The co-written fields are those the record schemas declare as CoText.
FIELDS: dict[str, tuple[str, ...]] = {
    entity: names
    for entity, schema in RECORD_SCHEMAS.items()
    if (names := tuple(n for n, f in schema.fields.items() if isinstance(f, CoText)))
}
ROOT = "text"


@dataclass
class FieldDoc:
    """A live document and the state it holds (the bytes stored, pending structs included)."""

    state: bytes
    doc: pycrdt.Doc[Any]


# A batch's live documents, by (entity, record id, field): decoded once per push.
Docs = dict[tuple[str, str, str], FieldDoc]


def encode(state: bytes) -> str:
    """The stored and wire form of a state."""
    return base64.b64encode(state).decode("ascii")


def _text(doc: pycrdt.Doc[Any]) -> str:
    return str(doc.get(ROOT, type=pycrdt.Text))


def _load(state: bytes) -> pycrdt.Doc[Any]:
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    doc.apply_update(state)
    return doc


def seed(text: str) -> bytes:
    """The state of a new document holding text (one insert by a fresh client)."""
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    if text:
        doc.get(ROOT, type=pycrdt.Text).insert(0, text)
    return bytes(doc.get_update())


def _invalid(name: str, message: str) -> Rejected:
    return Rejected("invalid_yjs", message, {"fields": {name: [message]}})


def split(entity: str, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Loaded fields without their Yjs edits, and those edits as update bytes by field."""
    names = [n for n in FIELDS.get(entity, ()) if isinstance(fields.get(n), dict)]
    if not names:
        return fields, {}
    plain = {k: v for k, v in fields.items() if k not in names}
    return plain, {name: _decode(name, fields[name]["yjs"]) for name in names}


def _decode(name: str, encoded: str) -> bytes:
    try:
        update = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _invalid(name, "This Yjs update is not valid base64.") from exc
    if not update:
        raise _invalid(name, "This Yjs update is empty.")
    return update


def _live(docs: Docs, key: tuple[str, str, str], state: bytes) -> FieldDoc:
    """The live document holding exactly `state` (rebuilt if a trial moved it elsewhere)."""
    held = docs.get(key)
    if held is None or held.state != state:
        held = docs[key] = FieldDoc(state, _load(state))
    return held


def stored_state(yjs: Mapping[str, str] | None, name: str, text: str) -> bytes:
    """A field's stored state (a document seeded from its text if it has none yet)."""
    encoded = (yjs or {}).get(name)
    return base64.b64decode(encoded) if encoded else seed(text)


def merge_edits(
    docs: Docs, key: tuple[str, str], current: Mapping[str, Any], yjs: Any, updates: Any
) -> tuple[dict[str, str], dict[str, bytes]]:
    """Merge each field's update into its document: (the merged texts, the new states).

    Nothing is kept until `settle`; a bad update or an over-long merged text is rejected."""
    texts: dict[str, str] = {}
    states: dict[str, bytes] = {}
    for name, update in updates.items():
        state = stored_state(yjs, name, current.get(name) or "")
        live = _live(docs, (*key, name), state)
        texts[name], states[name] = _apply(docs, (*key, name), live, update)
    return texts, states


def _apply(
    docs: Docs, key: tuple[str, str, str], live: FieldDoc, update: bytes
) -> tuple[str, bytes]:
    before = live.state
    try:
        merged = bytes(pycrdt.merge_updates(before, update))
        live.doc.apply_update(update)
        text = _text(live.doc)
        roots = set(live.doc.keys())
    except Exception as exc:  # pycrdt raises ValueError, and Rust panics as other types
        docs.pop(key, None)
        raise _invalid(key[2], f"This Yjs update cannot be read: {exc}") from exc
    if roots - {ROOT}:
        docs.pop(key, None)
        raise _invalid(key[2], f'A co-written text\'s document has one root, a Text "{ROOT}".')
    if len(text) > TEXT_MAX:
        docs.pop(key, None)
        message = f"The merged text would be {len(text)} characters; at most {TEXT_MAX}."
        raise Rejected("text_too_long", message, {"fields": {key[2]: [message]}})
    try:
        RECORD_SCHEMAS[key[0]].fields[key[2]]._validate(text)  # e.g. a next step's text: not empty
    except ValidationError as exc:
        docs.pop(key, None)
        details = {"fields": {key[2]: exc.messages}}
        raise Rejected("validation_error", "The merged text is not valid.", details) from exc
    live.state = merged
    return text, merged


def settle(
    docs: Docs,
    key: tuple[str, str],
    values: Mapping[str, Any],
    yjs: Mapping[str, str] | None,
    merged: Mapping[str, bytes],
    written: Iterable[str],
) -> dict[str, str] | None:
    """The record's new `yjs` after a merge, or None when no document changed.

    Merged edits keep their new states; a field written as a plain string has its document
    brought to the field's value (the engine may have kept the old text: then nothing moves)."""
    entity_fields = FIELDS[key[0]]
    result = {name: (yjs or {}).get(name) or "" for name in entity_fields}
    changed = False
    for name in entity_fields:
        if name in merged:
            state = merged[name]
        elif name in written or not result[name]:
            state = _brought_to(docs, (*key, name), yjs, values.get(name) or "")
        else:
            continue
        encoded = encode(state)
        changed = changed or encoded != result[name]
        result[name] = encoded
    return result if changed else None


def _brought_to(docs: Docs, key: tuple[str, str, str], yjs: Any, text: str) -> bytes:
    """The field's document state after one minimal edit from its text to `text`."""
    live = _live(docs, key, stored_state(yjs, key[2], text))
    before = live.doc.get_state()
    if _edit_to(live.doc, text):
        live.state = bytes(pycrdt.merge_updates(live.state, live.doc.get_update(before)))
    return live.state


def _edit_to(doc: pycrdt.Doc[Any], text: str) -> bool:
    """One minimal edit (common prefix and suffix kept) from the document's text to `text`;
    False when it already holds it."""
    root = doc.get(ROOT, type=pycrdt.Text)
    old = str(root)
    if old == text:
        return False
    start, old_end, new_end = _diff(old, text)
    with doc.transaction():
        head = len(old[:start].encode())  # pycrdt counts UTF-8 bytes
        if old_end > start:
            del root[head : head + len(old[start:old_end].encode())]
        if new_end > start:
            root.insert(head, text[start:new_end])
    return True


def rewritten(yjs: Mapping[str, str] | None, name: str, text: str) -> str:
    """A field's document brought to `text` and compacted: deleted content is dropped from
    the state (a Doc's own encoding), so words taken out for good (an erasure) are not kept
    in the history every device pulls. Structs still waiting for an earlier update are
    dropped with it; only for a rewrite that must forget."""
    doc = _load(stored_state(yjs, name, text))
    _edit_to(doc, text)
    return encode(bytes(doc.get_update()))


def scrubbed(
    entity: str, yjs: Mapping[str, str] | None, values: Mapping[str, Any]
) -> dict[str, str]:
    """A record's documents, each rewritten to its field's new value (see `rewritten`)."""
    return {name: rewritten(yjs, name, values.get(name) or "") for name in FIELDS[entity]}


def _diff(old: str, new: str) -> tuple[int, int, int]:
    """Where old and new differ: old[start:old_end] becomes new[start:new_end]."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    tail = 0
    while tail < limit - start and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return start, len(old) - tail, len(new) - tail
