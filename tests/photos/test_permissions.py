"""Who sees a photo: whoever may read its observation (server.policy), by pull, by id and by
URL; nobody else, whatever they guess. Over real HTTP on both databases."""

from __future__ import annotations

from flask import Flask

from tests.photos.conftest import Start
from tests.photos.support import TusClient, World, photo, token
from tests.support.sync import SyncClient


def _sees(world: World, client: SyncClient, attachment_id: str, url: str) -> tuple[bool, ...]:
    client.pull_all()
    tus = TusClient(url, token(client))
    return (
        client.record("attachment", attachment_id) is not None,
        tus.get(f"/api/v1/attachments/{attachment_id}/content").status == 200,
        tus.get(f"/api/v1/attachments/{attachment_id}/thumbnail").status == 200,
    )


def test_only_the_observations_readers_see_its_photos(
    app: Flask, world: World, start_server: Start
) -> None:
    server = start_server()
    data = photo()
    attachment_id = world.add_photo(data)
    mine = TusClient(server.url, token(world.observer))
    location = mine.create(attachment_id, len(data)).headers["Location"]
    assert mine.patch(location, 0, data[:1000]).status == 204
    for outsider in (world.colleague, world.lead, world.stranger):
        theirs = TusClient(server.url, token(outsider))
        assert theirs.request("HEAD", location).status == 404  # not by the upload's URL
        assert theirs.patch(location, 1000, data[1000:]).status == 404
        assert theirs.create(attachment_id, len(data)).status == 404  # nor by the record's id
    assert mine.patch(location, 1000, data[1000:]).status == 204
    assert _sees(world, world.observer, attachment_id, server.url) == (True, True, True)
    assert _sees(world, world.observee, attachment_id, server.url) == (True, True, True)
    for outsider in (world.colleague, world.lead, world.stranger):
        assert _sees(world, outsider, attachment_id, server.url) == (False, False, False)
    nobody = TusClient(server.url, None)
    assert nobody.get(f"/api/v1/attachments/{attachment_id}/content").status == 401
    # The observee shares the observation with leads: the lead now sees its photos too.
    result = world.observee.put("observation", world.observation_id, {"visibility": "leads"})
    assert result["status"] == "applied", result
    assert _sees(world, world.lead, attachment_id, server.url) == (True, True, True)
    assert _sees(world, world.colleague, attachment_id, server.url) == (False, False, False)
