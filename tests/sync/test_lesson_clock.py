"""The lesson clock (issue 12): observation `lesson_started_at`, a synced field, both databases.

ISO 8601 with an offset (stored and pulled in UTC), optional (null: no clock yet), merged as
every observation field is (PROTOCOL.md): seen -> replaced; concurrent -> the later stamp wins
and the other value is kept in `conflicts`. A bad value is `rejected` and changes nothing.
"""

from __future__ import annotations

import pytest

from tests.support.sync import SyncClient, new_id, observation_fields


@pytest.fixture
def pair(factory):
    school = factory.school()
    observer = SyncClient(factory.session(school, name="Olu Observer"))
    co_teacher = SyncClient(factory.session(school, name="Cai Coteacher"))
    obs_id = new_id()
    fields = observation_fields(
        [(observer.user_id, "observer"), (co_teacher.user_id, "co_teacher")]
    )
    assert observer.put("observation", obs_id, fields)["status"] == "applied"
    observer.pull_all()
    co_teacher.pull_all()
    return observer, co_teacher, obs_id


def started(client: SyncClient, obs_id: str) -> str | None:
    client.pull_all()
    record = client.record("observation", obs_id)
    assert record is not None
    value: str | None = record["fields"]["lesson_started_at"]
    return value


def test_an_observation_starts_without_a_clock_and_the_first_start_reaches_the_partner(pair):
    observer, co_teacher, obs_id = pair
    assert started(co_teacher, obs_id) is None
    result = observer.put("observation", obs_id, {"lesson_started_at": "2026-12-01T09:05:00+01:00"})
    assert result["status"] == "applied"
    assert started(co_teacher, obs_id) == "2026-12-01T08:05:00+00:00"  # stored in UTC


def test_an_adjustment_after_seeing_the_start_replaces_it(pair):
    observer, co_teacher, obs_id = pair
    observer.put("observation", obs_id, {"lesson_started_at": "2026-12-01T09:05:00+00:00"})
    co_teacher.pull_all()
    result = co_teacher.put(
        "observation", obs_id, {"lesson_started_at": "2026-12-01T08:55:30.250000+00:00"}
    )
    assert result["status"] == "applied"
    assert started(observer, obs_id) == "2026-12-01T08:55:30.250000+00:00"
    assert observer.record("observation", obs_id)["conflicts"] == []


def test_two_starts_at_once_keep_the_later_stamp_and_the_other_as_a_conflict(pair):
    observer, co_teacher, obs_id = pair
    observer.put("observation", obs_id, {"lesson_started_at": "2026-12-01T09:00:00+00:00"})
    late = co_teacher.mutation(
        "observation", obs_id, {"lesson_started_at": "2026-12-01T09:02:00+00:00"}
    )
    late["hlc"] = co_teacher.stamp(skew_ms=60_000)  # stamped later than the observer's
    (result,) = co_teacher.push_ok([late])
    assert result["status"] == "merged"
    assert started(observer, obs_id) == "2026-12-01T09:02:00+00:00"
    (conflict,) = observer.record("observation", obs_id)["conflicts"]
    assert conflict["field"] == "lesson_started_at"
    assert conflict["value"] == "2026-12-01T09:00:00+00:00"


def test_the_clock_can_be_cleared_and_set_again(pair):
    observer, co_teacher, obs_id = pair
    observer.put("observation", obs_id, {"lesson_started_at": "2026-12-01T09:00:00+00:00"})
    observer.pull_all()
    observer.put("observation", obs_id, {"lesson_started_at": None})
    assert started(co_teacher, obs_id) is None


@pytest.mark.parametrize(
    "value",
    ["2026-12-01T09:00:00", "09:05", "", 1733043900, "0001-01-01T00:00:00+01:00", "soon"],
    ids=["no-offset", "time-only", "empty", "number", "before-the-calendar", "word"],
)
def test_a_bad_start_is_rejected_and_changes_nothing(pair, value):
    observer, co_teacher, obs_id = pair
    observer.put("observation", obs_id, {"lesson_started_at": "2026-12-01T09:00:00+00:00"})
    result = co_teacher.put("observation", obs_id, {"lesson_started_at": value, "title": "Changed"})
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "validation_error"
    assert "lesson_started_at" in result["error"]["details"]["fields"]
    assert started(co_teacher, obs_id) == "2026-12-01T09:00:00+00:00"
    assert co_teacher.record("observation", obs_id)["fields"]["title"] != "Changed"
