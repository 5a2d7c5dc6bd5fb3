"""A test sync client: numbered mutations with HLC stamps, and pulls until caught up."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema
from werkzeug.test import TestResponse

from schemas.common import ErrorSchema
from schemas.sync import PullResponseSchema, PushResponseSchema
from tests.support.factories import Session

OBSERVATION = "observation"


def hlc(client_id: str, ms: int | None = None, counter: int = 0) -> str:
    """A stamp: 15-digit milliseconds, 4-digit counter, client id."""
    if ms is None:
        ms = int(time.time() * 1000)
    return f"{ms:015d}:{counter:04d}:{client_id}"


def checked(response: TestResponse, success_schema: Schema) -> TestResponse:
    """The response, after its body loaded with the wire schema that documents it (a 200 with
    the success schema, anything else with ErrorSchema): the schemas say what is really sent."""
    schema = success_schema if response.status_code == 200 else ErrorSchema()
    schema.load(response.get_json())  # raises ValidationError on any mismatch
    return response


def iso(minutes: int = 0) -> str:
    """A timestamp with offset, minutes from a fixed lesson start."""
    start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    return (start + dt.timedelta(minutes=minutes)).isoformat()


@dataclass
class SyncClient:
    """One device: its own seq, clock and pulled replica."""

    session: Session
    seq: int = 0
    clock_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    counter: int = 0
    cursor: str | None = None
    replica: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        return str(self.session.user["id"])

    def stamp(self, skew_ms: int = 0) -> str:
        self.counter += 1
        return hlc(self.session.client_id, self.clock_ms + self.counter + skew_ms)

    def mutation(
        self,
        entity: str,
        record_id: str,
        fields: dict[str, Any] | None = None,
        op: str = "put",
        base: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        self.seq += 1
        if base is None:
            known = self.replica.get((entity, record_id))
            base = known["version"] if known else 0
        m: dict[str, Any] = {
            "seq": self.seq,
            "entity": entity,
            "id": record_id,
            "op": op,
            "base_version": base,
            "hlc": extra.pop("hlc", None) or self.stamp(),
        }
        if op == "put":
            m["fields"] = fields or {}
        m.update(extra)
        return m

    def push(self, mutations: list[dict[str, Any]]) -> TestResponse:
        response = self.session.post(
            "/api/v1/sync/push", json={"client_id": self.session.client_id, "mutations": mutations}
        )
        return checked(response, PushResponseSchema())

    def push_ok(self, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        response = self.push(mutations)
        assert response.status_code == 200, response.get_json()
        results: list[dict[str, Any]] = response.get_json()["results"]
        return results

    def put(
        self, entity: str, record_id: str, fields: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any]:
        (result,) = self.push_ok([self.mutation(entity, record_id, fields, **kwargs)])
        return result

    def delete(self, entity: str, record_id: str, **kwargs: Any) -> dict[str, Any]:
        (result,) = self.push_ok([self.mutation(entity, record_id, op="delete", **kwargs)])
        return result

    def pull(self, limit: int | str | None = None, cursor: str | None = None) -> TestResponse:
        params = {}
        if cursor or self.cursor:
            params["cursor"] = cursor or self.cursor
        if limit is not None:
            params["limit"] = str(limit)
        response = self.session.get("/api/v1/sync/pull", query_string=params)
        return checked(response, PullResponseSchema())

    def pull_page(self, limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
        response = self.pull(limit, cursor)
        assert response.status_code == 200, response.get_json()
        page: dict[str, Any] = response.get_json()
        return page

    def pull_all(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Pull until has_more is false, applying every change to the replica."""
        seen = []
        while True:
            page = self.pull_page(limit)
            keys = [(c["entity"], c["id"]) for c in page["changes"]]
            assert len(keys) == len(set(keys)), "a record came twice in one page"
            for change in page["changes"]:
                key = (change["entity"], change["id"])
                if change.get("evicted"):
                    self.replica.pop(key, None)
                else:
                    self.replica[key] = change
            seen.extend(page["changes"])
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return seen

    def record(self, entity: str, record_id: str) -> dict[str, Any] | None:
        return self.replica.get((entity, record_id))


def new_id() -> str:
    return str(uuid.uuid4())


def observation_fields(participants: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    fields = {
        "kind": "peer_observation",
        "title": "Year 8 maths",
        "starts_at": iso(),
        "participants": [{"user_id": str(u), "role": r} for u, r in participants],
    }
    fields.update(extra)
    return fields


def note_fields(
    observation_id: str, text: str = "Pupils paired up quickly.", minute: int = 5, **extra: Any
) -> dict[str, Any]:
    fields = {
        "observation_id": observation_id,
        "at": iso(minute),
        "minute": minute,
        "category": "evidence",
        "text": text,
    }
    fields.update(extra)
    return fields
