"""A teacher's data-rights export holds the photos of their observations (issue 16): each
record in data.json and the kept bytes under photos/; nobody else's export holds them."""

from __future__ import annotations

import io
import json
import zipfile

from flask.testing import FlaskClient

from tests.photos.support import World, photo, token, upload_in_process


def _export(client: FlaskClient, who: object) -> zipfile.ZipFile:
    response = client.get("/api/v1/me/export", headers={"Authorization": f"Bearer {token(who)}"})  # type: ignore[arg-type]
    assert response.status_code == 200, response.get_json()
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_export_holds_the_photos_of_ones_observations(
    world: World, client: FlaskClient
) -> None:
    data = photo(seed=7)
    attachment_id = world.add_photo(data, caption="Sorting shapes")
    upload_in_process(client, world.observer, attachment_id, data)
    archive = _export(client, world.observee)
    assert archive.read(f"photos/{attachment_id}.jpg") == data
    photos = json.loads(archive.read("data.json"))["photos"]
    assert [(p["id"], p["caption"]) for p in photos] == [(attachment_id, "Sorting shapes")]
    assert "photos/" in archive.read("README.txt").decode()
    theirs = _export(client, world.colleague)
    assert not [name for name in theirs.namelist() if name.startswith("photos/")]
    assert json.loads(theirs.read("data.json"))["photos"] == []
