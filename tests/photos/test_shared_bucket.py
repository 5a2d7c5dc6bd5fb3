"""Several app instances on one database and one S3 bucket (docs/photos.md): each has its own
instance folder, and each sees, serves and deletes the photos the other stored. Over real HTTP:
two gunicorn servers and moto's S3 server on loopback."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask

from server.config import build_config
from server.photos import storage
from server.photos.s3 import S3Store, parse_url
from tests.photos.conftest import Start
from tests.photos.support import PhotoBackend, TusClient, World, photo, token
from tests.support.s3 import CREDENTIALS, S3Server


@pytest.mark.parametrize("photo_backend", ["s3"], indirect=True)  # a folder is one instance's
def test_two_instances_sharing_a_bucket_see_each_others_photos(
    app: Flask, world: World, start_server: Start, photo_backend: PhotoBackend, tmp_path: Path
) -> None:
    first = start_server(tmp_path / "first")
    second = start_server(tmp_path / "second")
    data = photo(seed=21)
    attachment_id = world.add_photo(data)
    via_first = TusClient(first.url, token(world.observer))
    via_second = TusClient(second.url, token(world.observee))
    assert via_first.upload(attachment_id, data).status == 204
    served = via_second.get(f"/api/v1/attachments/{attachment_id}/content")
    assert (served.status, hashlib.sha256(served.body).hexdigest()) == (
        200, hashlib.sha256(data).hexdigest(),
    )  # fmt: skip
    thumb = via_second.get(f"/api/v1/attachments/{attachment_id}/thumbnail")
    assert thumb.status == 200
    assert sorted(photo_backend.names()) == [attachment_id, f"{attachment_id}.thumb.jpg"]
    # The thumbnail the second made is the one the first serves: made once, kept in the bucket.
    again = TusClient(first.url, token(world.observer))
    assert again.get(f"/api/v1/attachments/{attachment_id}/thumbnail").body == thumb.body
    # A second upload of the same photo through the other instance is refused: stored once.
    refused = TusClient(second.url, token(world.observer)).create(attachment_id, len(data))
    assert refused.status == 409
    assert not (tmp_path / "first" / "photos").exists()  # nothing went to a folder
    assert not (tmp_path / "second" / "photos").exists()


def test_the_store_is_chosen_by_configuration(
    tmp_path: Path, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    assert parse_url("s3://school-photos") == ("school-photos", "")
    assert parse_url("s3://school-photos/lessonloop/eu/") == ("school-photos", "lessonloop/eu/")
    for wrong in ("s3:///prefix", "s3://bucket/../up", "s3://bucket/a?b=1", "gs://bucket"):
        with pytest.raises(ValueError, match="s3://bucket/prefix"):
            parse_url(wrong)
    folder = Flask("folder", instance_path=str(tmp_path))
    folder.config.update(build_config(tmp_path, {"SECRET_KEY": "k", "VAPID_PRIVATE_KEY": "-"}))
    assert isinstance(storage.make_store(folder), storage.FolderStore)
    folder.config["PHOTO_STORE"] = "ftp://photos"
    with pytest.raises(ValueError, match="'folder' or s3://bucket/prefix"):
        storage.make_store(folder)
    bucket = s3_server.bucket()
    folder.config.update(
        PHOTO_STORE=f"s3://{bucket}/p", PHOTO_S3_ENDPOINT_URL=s3_server.url,
        PHOTO_S3_REGION="eu-west-2",
    )  # fmt: skip
    chosen = storage.make_store(folder)
    assert isinstance(chosen, S3Store)
    chosen.put("school/photo", b"bytes")
    assert (chosen.get("school/photo"), chosen.get("school/none")) == (b"bytes", None)
    assert s3_server.keys(bucket) == ["p/school/photo"]
    chosen.delete("school/photo")
    chosen.delete("school/photo")  # deleting what is gone is no error
    assert s3_server.keys(bucket) == []
    with pytest.raises(ValueError, match="not a photo key"):
        chosen.put("school/../other", b"")
