"""Erasure: afterwards nothing the API, a PDF or an export gives holds the person's name or
email; their notes on partners' observations remain as "A former colleague"'s; devices that
held their records get tombstones; a second erasure is a clear error."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest

from tests.reports import world as school
from tests.reports.helpers import pdf_text
from tests.support.sync import SyncClient, new_id

NAME, FORMER = "Ben Okafor", "A former colleague"


@pytest.fixture
def world(factory):
    world = school.build(factory)
    ben = world.clients["ben"]
    world.ids["solo"], world.ids["solo_note"] = new_id(), new_id()
    fields = school_observation(world, "ben", "Ben Okafor's own journal", visibility="leads")
    assert ben.put("observation", world.ids["solo"], fields)["status"] == "applied"
    note = {"observation_id": world.ids["solo"], "at": school.at(14), "category": "evidence"}
    ben.put("note", world.ids["solo_note"], {**note, "text": "SOLO-NOTE of my own"})
    email = world.session("ben").user["email"]
    world.ids["ana_note"] = school.note(
        world, "ana", world.ids["shared"], school.at(10), 20, "strength",
        f"Ben Okafor modelled it well; ask BEN OKAFOR ({email}) for the slides.",
    )  # fmt: skip
    strengths = "Ben Okafor's hinge question; then everyone answered."  # a co-written text
    assert (
        world.clients["ana"].put("observation", world.ids["shared"], {"strengths": strengths})[
            "status"
        ]
        == "applied"
    )
    for who in ("ana", "lead"):
        world.clients[who].pull_all()
    return world


def school_observation(world, who, title, **extra):
    return {
        "kind": "peer_observation",
        "title": title,
        "starts_at": school.at(14),
        "participants": [{"user_id": world.user_id(who), "role": "observee"}],
        **extra,
    }


def erase(world, confirm=NAME, who="ben"):
    url = f"/api/v1/admin/users/{world.user_id(who)}/erase"
    return world.session("admin").post(url, json={"confirm_name": confirm})


def test_a_wrong_name_changes_nothing_and_a_second_erasure_is_an_error(world):
    wrong = erase(world, "Ben")
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["code"] == "confirmation_mismatch"
    assert world.get("ben", "/api/v1/me").status_code == 200  # still signed in
    done = erase(world)
    assert done.status_code == 200, done.get_json()
    erased = done.get_json()["erased"]
    assert erased["observations"] == 1
    assert erased["notes"] == 1
    assert erased["devices"] == 1
    assert erased["texts_rewritten"] >= 1
    again = erase(world, FORMER)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_erased"
    assert world.get("ben", "/api/v1/me").status_code == 401
    mine = world.session("admin").post(
        f"/api/v1/admin/users/{world.user_id('admin')}/erase", json={"confirm_name": "Adam Price"}
    )
    assert mine.status_code == 403
    (event,) = [
        e
        for e in world.get("admin", "/api/v1/admin/audit").get_json()["events"]
        if e["action"] == "user.erased"
    ]
    assert event["record_id"] == world.user_id("ben")
    assert event["detail"] == erased


def test_devices_that_held_the_records_get_tombstones_and_new_text(world):
    assert erase(world).status_code == 200
    lead, ana = world.clients["lead"], world.clients["ana"]
    changes = {(c["entity"], c["id"]): c for c in lead.pull_all()}
    for key in (("observation", world.ids["solo"]), ("note", world.ids["solo_note"])):
        assert changes[key]["deleted"] is True
    assert changes[("observation", world.ids["solo"])]["fields"]["title"] == ""
    pulled = {(c["entity"], c["id"]): c for c in ana.pull_all()}
    text = pulled[("note", world.ids["ana_note"])]["fields"]["text"]
    assert text == f"{FORMER} modelled it well; ask {FORMER} ({FORMER}) for the slides."
    assert pulled[("user", world.user_id("ben"))]["fields"]["display_name"] == FORMER
    # Ben's own notes on Ana's observation of his lesson remain, for Ana.
    bens = [
        c
        for (entity, _), c in ana.replica.items()
        if entity == "note" and c["created_by"] == world.user_id("ben")
    ]
    assert len(bens) == 2
    assert {c["fields"]["text"] for c in bens} >= {
        "I tried four seconds of wait time after the hinge question."
    }


def _everything(world, factory):
    """What the others can get from the API now, as text."""
    texts = []
    for who in ("ana", "chloe", "lead", "admin"):
        fresh = SyncClient(factory.login(_user(factory, world, who), device_name="new phone"))
        pulled = fresh.pull_all()
        texts.append(json.dumps(pulled))
        texts.extend(_documents(pulled))
        texts.append(world.get(who, "/api/v1/me/audit").get_data(as_text=True))
        archive = zipfile.ZipFile(io.BytesIO(world.get(who, "/api/v1/me/export").data))
        for name in archive.namelist():
            content = archive.read(name)
            texts.append(pdf_text(content) if name.endswith(".pdf") else content.decode())
    for url in ("/api/v1/admin/users", "/api/v1/admin/audit", "/api/v1/admin/teams"):
        texts.append(world.get("admin", url).get_data(as_text=True))
    ana = world.user_id("ana")
    for who, url in (
        ("ana", f"/api/v1/reports/observations/{world.ids['shared']}.pdf"),
        ("ana", f"/api/v1/reports/teachers/{ana}.pdf"),
        ("lead", f"/api/v1/reports/teachers/{ana}.pdf"),
        ("lead", f"/api/v1/reports/focuses/{world.ids['focus']}.pdf"),
        ("lead", "/api/v1/reports/action-plan.pdf"),
    ):
        response = world.get(who, url, query_string=school.PERIOD)
        assert response.status_code == 200, url
        texts.append(pdf_text(response.data))
    return "\n".join(texts)


def _documents(pulled):
    """The co-written texts' Yjs states as bytes read as text: a document keeps deleted words
    unless it is compacted, so the name must not survive in them either."""
    return [
        base64.b64decode(state).decode("utf-8", errors="replace")
        for change in pulled
        for state in (change.get("yjs") or {}).values()
    ]


def _user(factory, world, who):
    from server.extensions import db
    from server.models import User

    with factory.app.app_context():
        return db.session.get(User, world.user_id(who))


def test_afterwards_nothing_holds_the_name_or_email(world, factory):
    email = world.session("ben").user["email"]
    before = _everything(world, factory)
    assert NAME in before  # the check below can see the name where it was
    assert erase(world).status_code == 200
    after = _everything(world, factory)
    assert NAME.lower() not in after.lower()
    assert "okafor" not in after.lower()
    assert email.lower() not in after.lower()
    assert FORMER in after
    assert "SOLO-NOTE" not in after
    assert "I tried four seconds of wait time" in after  # his notes on Ana's observation stay
