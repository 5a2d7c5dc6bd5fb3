"""Bulk push (issue 17): new records are written with one raw executemany (server.sync.rows)
and new ids found with one light query. The Core insert (SYNC_BULK_INSERT off) is the judge:
the same batch, mixing plain creates with updates, conflicts, deletes, repeated ids, bad
records and a replayed batch (duplicates), gives the same results and the same stored rows
either way, on both databases. Each run gets its own school; ids, people and clocks are
replaced by names before comparing."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from server.extensions import db
from server.sync.codecs import CODECS
from tests.support.sync import SyncClient, hlc

CONFLICT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")
AT = "2026-11-20T09:05:00+00:00"
MS = 1_795_000_000_000  # every stamp is fixed, so both runs merge alike

STEP = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 5)),
    st.tuples(st.just("update"), st.integers(0, 2)),
    st.tuples(st.just("stale"), st.integers(0, 2)),
    st.tuples(st.just("delete"), st.integers(0, 2)),
    st.tuples(st.just("update_new"), st.integers(0, 5)),
    st.tuples(st.just("bad"), st.sampled_from(["minute", "parent", "entity", "hlc", "missing"])),
)


def _note(observation: str, minute: int, text: str = "Pupils explained their method.") -> Any:
    return {
        "observation_id": observation,
        "at": AT,
        "minute": minute,
        "category": "evidence",
        "text": text,
    }


class Run:
    """One school, a teacher's observation of a colleague, three notes written on the
    teacher's phone (a) then edited on their tablet (b): the phone's edits are concurrent."""

    def __init__(self, factory: Any) -> None:
        self.school = factory.school()
        teacher = factory.user(self.school, name="A")
        self.a = SyncClient(factory.login(teacher))
        self.b = SyncClient(factory.login(teacher, device_name="tablet"))
        self.c = SyncClient(factory.session(self.school, name="C"))
        self.names: dict[str, str] = {}
        self.tick = 0
        self.conflicts: dict[str, str] = {}
        self.observation = self.id("obs")
        people = [{"user_id": self.a.user_id, "role": "observer"},
                  {"user_id": self.c.user_id, "role": "observee"}]  # fmt: skip
        fields = {"kind": "peer_observation", "title": "Maths", "starts_at": AT,
                  "participants": people}  # fmt: skip
        self.versions: dict[str, int] = {}
        self.push(self.a, [("observation", "obs", fields, 0)])
        self.push(self.a, [("note", f"e{n}", _note(self.observation, n), 0) for n in range(3)])
        self.push(self.b, [("note", f"e{n}", {"text": f"B's {n}"}, self.versions[f"e{n}"])
                           for n in range(3)])  # fmt: skip

    def id(self, name: str) -> str:
        return self.names.setdefault(name, str(uuid.uuid4()))

    def stamp(self, phone: SyncClient) -> str:
        self.tick += 1
        return hlc(phone.session.client_id, MS + self.tick)

    def mutation(self, phone: SyncClient, entity: str, name: str, fields: Any, base: int) -> Any:
        phone.seq += 1
        return {"seq": phone.seq, "entity": entity, "id": self.id(name), "op": "put",
                "base_version": base, "hlc": self.stamp(phone), "fields": fields}  # fmt: skip

    def push(self, phone: SyncClient, items: list[tuple[str, str, Any, int]]) -> list[Any]:
        results = phone.push_ok([self.mutation(phone, *item) for item in items])
        for (_, name, _, _), result in zip(items, results, strict=True):
            if "version" in result:
                self.versions[name] = result["version"]
        return results

    def batch(self, steps: list[tuple[str, Any]]) -> list[dict[str, Any]]:
        """A's batch for these steps (built alike in every run, with this run's ids)."""
        out = []
        for kind, arg in steps:
            out.append(self.step(kind, arg))
        return out

    def step(self, kind: str, arg: Any) -> dict[str, Any]:
        a = self.a
        if kind in ("create", "update_new"):
            text = "again" if kind == "update_new" else "new"
            return self.mutation(a, "note", f"n{arg}", _note(self.observation, arg, text), 0)
        if kind == "update":  # A saw its own note: applied
            return self.mutation(a, "note", f"e{arg}", {"minute": 30 + arg}, 99)
        if kind == "stale":  # the tablet changed the text since the phone's base: merged
            return self.mutation(a, "note", f"e{arg}", {"text": f"A's {arg}"}, 0)
        if kind == "delete":
            m = self.mutation(a, "note", f"e{arg}", None, 99)
            m.update(op="delete", fields={})
            return m
        return self.bad(arg)

    def bad(self, what: str) -> dict[str, Any]:
        m = self.mutation(self.a, "note", f"bad-{what}", _note(self.observation, 1), 0)
        if what == "minute":
            m["fields"]["minute"] = "five"
        elif what == "parent":
            m["fields"]["observation_id"] = self.id("no-such-observation")
        elif what == "entity":
            m["entity"] = "user"
        elif what == "hlc":
            m["hlc"] = hlc(self.b.session.client_id, MS)
        else:
            del m["fields"]["text"]
        return m

    def named(self, value: Any) -> Any:
        """Replace this run's ids (records, people, devices, the school) by names."""
        text = json.dumps(value, sort_keys=True, default=str)
        aliases = {v: k for k, v in self.names.items()}
        aliases.update({self.a.user_id: "user-a", self.c.user_id: "user-c"})
        aliases.update({str(self.a.session.client_id): "device-a", str(self.school.id): "school"})
        aliases[str(self.b.session.client_id)] = "device-b"
        for real, alias in aliases.items():
            text = text.replace(real, alias)
        # Conflict ids derive from the record's id: named in order of appearance.
        return json.loads(CONFLICT_ID.sub(self._conflict_name, text))

    def _conflict_name(self, found: re.Match[str]) -> str:
        return self.conflicts.setdefault(found.group(0), f"conflict-{len(self.conflicts)}")

    def stored(self) -> Any:
        rows = []
        for entity in ("observation", "note"):
            table = CODECS[entity].table
            query = (
                select(table).where(table.c.school_id == self.school.id).order_by(table.c.version)
            )
            for row in db.session.execute(query).mappings():
                values = {k: v for k, v in row.items() if k not in ("created_at", "updated_at")}
                rows.append((entity, values))
        return sorted(self.named(rows), key=lambda r: json.dumps(r, sort_keys=True))


def _outcome(app: Any, factory: Any, bulk: bool, steps: list[tuple[str, Any]]) -> Any:
    app.config["SYNC_BULK_INSERT"] = bulk
    run = Run(factory)
    batch = run.batch(steps)
    body = {"client_id": run.a.session.client_id, "mutations": batch}
    first = run.a.session.post("/api/v1/sync/push", json=body).get_json()
    replay = run.a.session.post("/api/v1/sync/push", json=body).get_json()  # all duplicates
    with app.app_context():
        stored = run.stored()
    return run.named(first), run.named(replay), stored


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(STEP, min_size=1, max_size=14))
def test_bulk_writes_give_the_results_and_rows_of_the_core_insert(app, factory, steps):
    fast = _outcome(app, factory, True, steps)
    slow = _outcome(app, factory, False, steps)
    assert fast == slow
    first, replay, _ = fast
    assert [r["status"] for r in replay["results"]] == ["duplicate"] * len(steps)
    assert len(first["results"]) == len(steps)


def test_a_mixed_batch_stores_the_same_rows_either_way(app, factory):
    steps: list[tuple[str, Any]] = [("create", 0), ("create", 1), ("update", 0), ("stale", 1),
             ("bad", "minute"), ("create", 2), ("update_new", 1), ("delete", 2),
             ("bad", "parent"), ("bad", "entity"), ("bad", "hlc"), ("bad", "missing"),
             ("create", 3)]  # fmt: skip
    fast = _outcome(app, factory, True, steps)
    slow = _outcome(app, factory, False, steps)
    for part in range(3):
        assert fast[part] == slow[part], part
    statuses = [r["status"] for r in fast[0]["results"]]
    assert statuses == ["applied", "applied", "applied", "merged", "rejected", "applied",
                        "applied", "applied", "rejected", "rejected", "rejected", "rejected",
                        "applied"]  # fmt: skip
    notes = [values for entity, values in fast[2] if entity == "note"]
    assert {n["id"] for n in notes} >= {"n0", "n1", "n2", "n3", "e0", "e1", "e2"}


def _other_creates(app: Any, factory: Any, bulk: bool) -> Any:
    """Plain creates of other kinds, and creates the fast path leaves to the full one."""
    app.config["SYNC_BULK_INSERT"] = bulk
    run = Run(factory)
    a = run.a
    tagged = {**_note(run.observation, 10), "tags": ["talk", "maths"], "case_pupil": "A"}
    batch = [
        run.mutation(a, "focus", "mine", {"title": "Questioning", "kind": "personal"}, 0),
        run.mutation(a, "focus", "school", {"title": "Oracy", "kind": "school"}, 0),  # forbidden
        run.mutation(a, "lookfor", "look", {"focus_id": run.id("mine"), "text": "Wait"}, 0),
        run.mutation(a, "note", "future", _note(run.observation, 7), 0),
        run.mutation(a, "note", "flag", {**_note(run.observation, 8), "deleted": False}, 0),
        run.mutation(a, "note", "odd", _note(run.observation.upper(), 9), 0),  # marshmallow's
        run.mutation(a, "note", "tagged", tagged, 0),
        run.mutation(a, "note", "tagged", {"text": "Edited in the same batch."}, 0),
    ]
    batch[3]["hlc"] = hlc(a.session.client_id, MS * 2)  # clamped to the server's clock
    body = {"client_id": a.session.client_id, "mutations": batch}
    results = a.session.post("/api/v1/sync/push", json=body).get_json()["results"]
    with app.app_context():
        table = CODECS["focus"].table
        focuses = db.session.execute(select(table).where(table.c.school_id == run.school.id))
        rows = [
            {k: v for k, v in row.items() if k not in ("created_at", "updated_at")}
            for row in focuses.mappings()
        ]
        # The clamped stamp is the server's clock at the time: that note's meta differs by run.
        notes = [v for k, v in run.stored() if k == "note" and v["id"] != "future"]
    clamped = results[3].pop("clock_clamped", None)
    return run.named(results), run.named(rows), notes, clamped


def test_other_plain_creates_and_the_ones_left_to_the_full_path_agree(app, factory):
    fast = _other_creates(app, factory, True)
    slow = _other_creates(app, factory, False)
    assert fast == slow
    statuses = [r["status"] for r in fast[0]]
    assert statuses == ["applied", "rejected", "rejected", "applied", "applied", "applied",
                        "applied", "applied"]  # fmt: skip
    assert fast[0][1]["error"]["code"] == "forbidden"
    assert fast[3] is True
    assert [row["owner_id"] for row in fast[1]] == ["user-a"]
