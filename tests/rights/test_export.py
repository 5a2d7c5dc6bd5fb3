"""A teacher's own export: a ZIP whose JSON follows the committed schema, holding every note of
every observation they take part in and nothing they may not see."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import or_, select, update

from server.extensions import db
from server.models import Job, Note, Observation, ObservationParticipant, User
from server.rights.schema import PATH, text
from tests.reports import world as school

SCHEMA = json.loads(Path(PATH).read_text(encoding="utf-8"))


@pytest.fixture
def world(factory):
    return school.build(factory)


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def export_of(world, who) -> dict[str, bytes]:
    response = world.get(who, "/api/v1/me/export")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="lesson-loop')
    return unzip(response.data)


def validate(document):
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


def test_the_committed_schema_is_the_one_the_code_writes():
    assert Path(PATH).read_text(encoding="utf-8") == text()
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def _notes_of_observations_of(app, user_id):
    with app.app_context():
        taking_part = select(ObservationParticipant.observation_id).where(
            ObservationParticipant.user_id == user_id
        )
        ids = select(Observation.id).where(
            or_(Observation.created_by == user_id, Observation.id.in_(taking_part))
        )
        notes = db.session.execute(select(Note.id).where(Note.observation_id.in_(ids)))
        return sorted(str(n) for n in notes.scalars())


def test_the_export_validates_and_holds_every_note_of_my_observations(world, factory):
    files = export_of(world, "ben")
    document = json.loads(files["data.json"])
    validate(document)
    assert document["kind"] == "personal"
    assert document["person"]["email"] == world.session("ben").user["email"]
    assert "password_hash" not in document["person"]
    expected = _notes_of_observations_of(factory.app, world.user_id("ben"))
    assert expected  # the world gives Ben notes on several observations
    assert sorted(n["id"] for n in document["notes"]) == expected
    observations = {o["id"] for o in document["observations"]}
    assert {world.ids["shared"], world.ids["private"], world.ids["old"]} <= observations
    assert files["learning-record.pdf"].startswith(b"%PDF-")
    assert b"data.json" in files["README.txt"]
    for name in ("observations", "notes", "next_steps", "focuses", "audit_events", "person"):
        assert f"csv/{name}.csv" in files
    header = files["csv/notes.csv"].decode().splitlines()[0]
    assert header.startswith("observation_id,at,minute,category,text")
    assert len(files["csv/notes.csv"].decode().strip().splitlines()) == len(expected) + 1
    assert json.loads(files["export.schema.json"]) == SCHEMA


def test_nothing_i_may_not_see_is_in_my_export(world):
    ana = json.loads(export_of(world, "ana")["data.json"])
    validate(ana)
    raw = json.dumps(ana)
    assert world.ids["private"] not in raw  # Chloe's private observation of Ben
    assert "PRIVATE-NOTE" not in raw
    assert "PRIVATE-STRENGTH" not in raw
    for person in ana["people"]:
        assert set(person) == {"id", "display_name", "role", "active"}  # no colleague's email
    # A lead's export holds what the lead takes part in, not what others shared with leads.
    lead = json.loads(export_of(world, "lead")["data.json"])
    validate(lead)
    assert world.ids["shared"] not in {o["id"] for o in lead["observations"]}


def test_an_export_is_audited_and_seen_by_its_owner(world):
    export_of(world, "ben")
    events = world.get("ben", "/api/v1/me/audit").get_json()["events"]
    (event,) = [e for e in events if e["action"] == "export.personal"]
    assert event["subject_id"] == world.user_id("ben")
    assert event["device"]["name"] == "test phone"
    assert [e for e in world.get("ana", "/api/v1/me/audit").get_json()["events"]
            if e["action"] == "export.personal"] == []  # fmt: skip


def _wait_until_finished(world, who, url):
    for _ in range(600):
        body = world.get(who, url).get_json()
        if body["state"] not in ("queued", "running"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"the export never finished: {body}")


def test_a_big_export_is_built_off_the_request_path(world, factory):
    factory.app.config["EXPORT_SYNC_MAX_OBSERVATIONS"] = 1
    too_big = world.get("ben", "/api/v1/me/export")
    assert too_big.status_code == 413
    assert too_big.get_json()["error"]["code"] == "export_too_large"
    started = world.session("ben").post("/api/v1/me/exports")
    assert started.status_code == 202
    job = started.get_json()
    assert job["state"] in ("queued", "running", "ready")
    url = f"/api/v1/me/exports/{job['id']}"
    assert world.get("ana", url).status_code == 404  # not Ana's
    done = _wait_until_finished(world, "ben", url)
    assert done["state"] == "ready", done
    assert done["progress"] == 100
    assert done["download_url"] == f"{url}/download"
    assert world.get("ana", done["download_url"]).status_code == 404
    files = unzip(world.get("ben", done["download_url"]).data)
    document = json.loads(files["data.json"])
    validate(document)
    assert sorted(n["id"] for n in document["notes"]) == _notes_of_observations_of(
        factory.app, world.user_id("ben")
    )
    # The link expires: then the file is gone and the download says so.
    with factory.app.app_context():
        job_row = db.session.execute(
            select(Job).where(Job.dedupe_key == f"export:{job['id']}")
        ).scalar_one()
        payload = {**job_row.payload, "expires_at": "2000-01-01T00:00:00+00:00"}
        db.session.execute(update(Job).where(Job.id == job_row.id).values(payload=payload))
        db.session.commit()
    assert world.get("ben", url).get_json()["state"] == "expired"
    gone = world.get("ben", done["download_url"])
    assert gone.status_code == 410
    assert gone.get_json()["error"]["code"] == "export_expired"


def test_asking_again_while_an_export_is_built_answers_that_one(world, factory):
    """One export is built per person at a time: asking again (a double tap, or a script)
    answers the job being built instead of starting another thread; once it has finished,
    asking again starts a new one."""
    with factory.app.app_context():
        user = db.session.get(User, world.user_id("ben"))
        building = Job(
            school_id=user.school_id,
            kind="personal_export",
            status="x_running",
            payload={"export_id": str(uuid.uuid4()), "user_id": str(user.id), "progress": 10},
            dedupe_key="export:building",
        )
        db.session.add(building)
        db.session.commit()
        export_id, job_id = building.payload["export_id"], building.id
    for _ in range(3):
        again = world.session("ben").post("/api/v1/me/exports")
        assert again.status_code == 202
        assert again.get_json()["id"] == export_id
        assert again.get_json()["state"] == "running"
    other = world.session("ana").post("/api/v1/me/exports").get_json()  # hers is her own
    assert other["id"] != export_id
    _wait_until_finished(world, "ana", f"/api/v1/me/exports/{other['id']}")
    with factory.app.app_context():
        db.session.execute(update(Job).where(Job.id == job_id).values(status="x_failed"))
        db.session.commit()
    new = world.session("ben").post("/api/v1/me/exports").get_json()
    assert new["id"] != export_id
    _wait_until_finished(world, "ben", f"/api/v1/me/exports/{new['id']}")
