"""The attachment record syncs like any record: who may add, change and delete a photo's
record (server.policy via server.sync.checks), fixed fields, tombstones and evictions."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.photos.support import World, photo, record_fields, token
from tests.support.sync import new_id, note_fields, observation_fields

# Records only: no bytes reach a store, so one store is enough.
pytestmark = pytest.mark.parametrize("photo_backend", ["folder"], indirect=True)


def _status(result: dict[str, object]) -> tuple[object, object]:
    error = result.get("error")
    return result["status"], error["code"] if isinstance(error, dict) else None


def test_who_may_add_a_photo(world: World) -> None:
    data = photo(64, 48)
    on_obs = record_fields(world.observation_id, data)
    on_note = record_fields(world.observation_id, data, note_id=world.note_id)
    assert _status(world.colleague.put("attachment", new_id(), on_obs)) == ("rejected", "forbidden")
    assert _status(world.stranger.put("attachment", new_id(), on_obs)) == (
        "rejected",
        "unknown_reference",
    )
    # The observee takes part, but the note is the observer's.
    assert _status(world.observee.put("attachment", new_id(), on_note)) == ("rejected", "forbidden")
    assert _status(world.observee.put("attachment", new_id(), on_obs)) == ("applied", None)
    other_obs = new_id()
    world.observer.put(
        "observation", other_obs, observation_fields([(world.observer.user_id, "observer")])
    )
    elsewhere = record_fields(other_obs, data, note_id=world.note_id)
    assert _status(world.observer.put("attachment", new_id(), elsewhere)) == (
        "rejected",
        "unknown_reference",
    )
    bad = {**on_obs, "content_type": "image/gif", "sha256": "not-a-digest"}
    assert _status(world.observer.put("attachment", new_id(), bad)) == (
        "rejected",
        "validation_error",
    )


def test_a_photo_keeps_its_bytes_changes_its_caption_and_goes_as_a_tombstone(
    world: World, client: FlaskClient
) -> None:
    attachment_id = world.add_photo(photo(64, 48))
    assert _status(world.observer.put("attachment", attachment_id, {"sha256": "0" * 64})) == (
        "rejected",
        "immutable_field",
    )
    assert _status(world.observee.put("attachment", attachment_id, {"caption": "Mine"})) == (
        "rejected",
        "forbidden",
    )
    changed = world.observer.put("attachment", attachment_id, {"caption": "Page 13"})
    assert _status(changed) == ("applied", None)
    world.observee.pull_all()
    assert world.observee.record("attachment", attachment_id)["fields"]["caption"] == "Page 13"  # type: ignore[index]
    assert _status(world.observer.delete("attachment", attachment_id)) == ("applied", None)
    world.observee.pull_all()
    assert world.observee.record("attachment", attachment_id)["deleted"] is True  # type: ignore[index]
    headers = {"Authorization": f"Bearer {token(world.observer)}"}
    answer = client.get(f"/api/v1/attachments/{attachment_id}/content", headers=headers)
    assert answer.status_code == 404


def test_who_leaves_an_observation_loses_its_photos(world: World) -> None:
    attachment_id = world.add_photo(photo(64, 48))
    world.observee.pull_all()
    assert world.observee.record("attachment", attachment_id) is not None
    keep_only_observer = [{"user_id": world.observer.user_id, "role": "observer"}]
    result = world.observee.put(
        "observation", world.observation_id, {"participants": keep_only_observer}
    )
    assert _status(result) == ("applied", None)
    world.observee.pull_all()
    assert world.observee.record("attachment", attachment_id) is None  # evicted
    assert world.observer.put("note", new_id(), note_fields(world.observation_id))["status"] == (
        "applied"
    )
