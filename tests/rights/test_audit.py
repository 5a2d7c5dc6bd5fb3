"""The audit trail: one row per audited action, readable by the person it is about."""

from __future__ import annotations

import pytest

from tests.reports import world as school
from tests.support.sync import SyncClient

ME = "/api/v1/me/audit"
ADMIN = "/api/v1/admin/audit"


def _events(world, who, url=ME, **query):
    response = world.get(who, url, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["events"]


def _of(events, action, record=None):
    return [
        e for e in events if e["action"] == action and (record is None or e["record_id"] == record)
    ]


@pytest.fixture
def world(factory):
    return school.build(factory)


def test_a_leads_first_pull_records_each_shared_observation_once_per_device(world, factory):
    world.clients["lead"].pull_all(limit=3)  # several pages
    world.clients["lead"].pull_all()  # nothing new: no new rows
    rows = _of(_events(world, "admin", ADMIN, limit=200), "observation.read_by_lead")
    assert sorted(e["record_id"] for e in rows) == sorted([world.ids["shared"], world.ids["old"]])
    assert {e["actor"]["display_name"] for e in rows} == {"Lena Morris"}
    assert {e["device"]["name"] for e in rows} == {"test phone"}
    # The same lead on a second device: recorded again, for that device.
    lead = world.clients["lead"].session.user
    from server.extensions import db
    from server.models import User

    with factory.app.app_context():
        person = db.session.get(User, lead["id"])
        second = SyncClient(factory.login(person, device_name="office laptop"))
    second.pull_all()
    rows = _of(_events(world, "admin", ADMIN, limit=200), "observation.read_by_lead")
    assert len(rows) == 4
    assert sorted(e["device"]["name"] for e in rows) == ["office laptop"] * 2 + ["test phone"] * 2


def test_participants_pulls_are_not_reads_by_a_lead(world):
    for who in ("ana", "ben", "chloe"):
        world.clients[who].pull_all()
    assert _of(_events(world, "admin", ADMIN, limit=200), "observation.read_by_lead") == []


def test_the_observee_sees_a_leads_download_of_their_shared_observation(world):
    shared = world.ids["shared"]
    response = world.get("lead", f"/api/v1/reports/observations/{shared}.pdf")
    assert response.status_code == 200
    (event,) = _of(_events(world, "ben"), "report.downloaded", shared)
    assert event["actor"]["display_name"] == "Lena Morris"
    assert event["detail"] == {"report": "observation"}
    assert event["subject_id"] == world.user_id("ben")
    assert event["device"]["name"] == "test phone"
    # Ana observed that lesson: it is her record too; Chloe takes no part in it.
    assert _of(_events(world, "ana"), "report.downloaded", shared) == [event]
    assert _of(_events(world, "chloe"), "report.downloaded") == []
    about_it = _events(world, "ben", record=shared)
    assert event in about_it
    assert {e["record_id"] for e in about_it} == {shared}
    assert _events(world, "ben", record=world.ids["private"]) == []


def test_every_pdf_download_is_one_row(world):
    ben = world.user_id("ben")
    downloads = [
        ("lead", f"/api/v1/reports/observations/{world.ids['shared']}.pdf", "observation"),
        ("lead", f"/api/v1/reports/teachers/{ben}.pdf", "teacher_record"),
        ("ben", f"/api/v1/reports/teachers/{ben}.pdf", "teacher_record"),
        ("lead", f"/api/v1/reports/focuses/{world.ids['focus']}.pdf", "focus_report"),
        ("lead", "/api/v1/reports/action-plan.pdf", "action_plan"),
    ]
    for who, url, _ in downloads:
        assert world.get(who, url, query_string=school.PERIOD).status_code == 200, url
    # A refused download is not a download.
    assert world.get("chloe", f"/api/v1/reports/teachers/{ben}.pdf").status_code == 403
    rows = _of(_events(world, "admin", ADMIN, limit=200), "report.downloaded")
    assert sorted(e["detail"]["report"] for e in rows) == sorted(d[2] for d in downloads)
    mine = _of(_events(world, "ben"), "report.downloaded")
    assert sorted(e["detail"]["report"] for e in mine) == ["observation"] + ["teacher_record"] * 2


def test_sharing_and_unsharing_are_recorded(world):
    shared = world.ids["shared"]
    ben = world.clients["ben"]
    assert len(_of(_events(world, "ben"), "observation.shared", shared)) == 1  # the world shares it
    result = ben.put("observation", shared, {"visibility": "participants"}, base=10**6)
    assert result["status"] == "applied"
    ben.put("observation", shared, {"title": "Renamed"}, base=10**6)  # not a visibility change
    events = _events(world, "ben")
    (unshared,) = _of(events, "observation.unshared", shared)
    assert unshared["actor"]["id"] == world.user_id("ben")
    assert len(_of(events, "observation.shared", shared)) == 1


def test_another_teacher_cannot_read_my_audit(world):
    world.get("lead", f"/api/v1/reports/observations/{world.ids['shared']}.pdf")
    assert _events(world, "chloe") == []
    response = world.get("chloe", ADMIN)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert world.get("lead", ADMIN).status_code == 403  # leads are not admins
    assert _events(world, "stranger") == []


@pytest.mark.parametrize("url", [ME, ADMIN, f"{ME}/1", f"{ADMIN}/1"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_audit_rows_cannot_be_changed_through_the_api(world, url, method):
    world.get("lead", f"/api/v1/reports/observations/{world.ids['shared']}.pdf")
    before = _events(world, "admin", ADMIN, limit=200)
    session = world.session("admin")
    response = getattr(session.client, method)(url, headers=session.headers, json={"action": "x"})
    assert response.status_code in (404, 405)
    if not url.endswith("/1"):
        assert response.status_code == 405
    error = response.get_json()["error"]
    assert error["code"] in ("method_not_allowed", "not_found")
    assert _events(world, "admin", ADMIN, limit=200) == before


def test_admin_filters_and_paging(world):
    ben = world.user_id("ben")
    for _ in range(3):
        world.get("lead", f"/api/v1/reports/teachers/{ben}.pdf")
    world.get("lead", "/api/v1/reports/action-plan.pdf")
    by_record = _events(world, "admin", ADMIN, record=ben)
    assert [e["detail"]["report"] for e in by_record] == ["teacher_record"] * 3
    about_ben = _events(world, "admin", ADMIN, person=ben)
    assert {e["action"] for e in about_ben} == {"report.downloaded", "observation.shared"}
    assert _events(world, "admin", ADMIN, **{"from": "2000-01-01", "to": "2000-12-31"}) == []
    first = world.get("ben", ME, query_string={"limit": 2}).get_json()
    assert len(first["events"]) == 2
    assert first["next_before"] == first["events"][-1]["id"]
    rest = _events(world, "ben", before=first["next_before"], limit=200)
    ids = [e["id"] for e in first["events"] + rest]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == len(set(ids))
    bad = world.get("ben", ME, query_string={"limit": 0})
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "validation_error"
