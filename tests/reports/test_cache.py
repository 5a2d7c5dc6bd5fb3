"""Repeated downloads of an unchanged report (issue 17): an ETag keyed by what the report shows,
304 for a client that has it, the cached PDF for anyone else allowed to see it, a new layout
after a change; the permission check is still made on every request."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.reports import cache
from tests.reports import world as school
from tests.reports.helpers import pdf_text


@pytest.fixture
def world(factory):
    return school.build(factory)


@pytest.fixture
def layouts(monkeypatch) -> list[str]:
    """Every layout the server actually makes (the renderer is real; this only counts it)."""
    made: list[str] = []
    original = cache.rendered

    def counting(build, render):
        def counted():
            made.append(build.func.__name__)
            return render()

        return original(build, counted)

    monkeypatch.setattr(cache, "rendered", counting)
    return made


def get(world, who: str, url: str, etag: str | None = None):
    """A download, with If-None-Match when an ETag is given."""
    session = world.session(who)
    extra = {"If-None-Match": etag} if etag else {}
    return session.client.get(url, headers={**session.headers, **extra})


def observation_url(world) -> str:
    return f"/api/v1/reports/observations/{world.ids['shared']}.pdf"


def test_an_unchanged_report_is_laid_out_once_and_answered_304(world, layouts, app):
    first = world.get("ben", observation_url(world))
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    assert len(etag) > 20
    again = get(world, "ben", observation_url(world), etag)
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    plain = world.get("ben", observation_url(world))  # no If-None-Match: the cached PDF
    assert plain.status_code == 200
    assert plain.data == first.data
    assert layouts == ["build_observation"]
    assert list((Path(app.instance_path) / cache.FOLDER).glob("*.pdf"))


def test_a_change_to_what_it_shows_gives_a_new_etag_and_a_new_layout(world, layouts):
    first = world.get("ben", observation_url(world))
    school.note(world, "ana", world.ids["shared"], school.at(10), 20, "evidence", "NEW-NOTE here")
    after = get(world, "ben", observation_url(world), first.headers["ETag"])
    assert after.status_code == 200
    assert after.headers["ETag"] != first.headers["ETag"]
    assert "NEW-NOTE here" in pdf_text(after.data)
    assert layouts == ["build_observation", "build_observation"]


def test_the_permission_check_is_made_on_every_request(world, layouts):
    first = world.get("ben", observation_url(world))
    etag = first.headers["ETag"]
    # Someone who may not see the observation, holding its ETag: 404, not 304, not the PDF.
    for who in ("dev", "stranger"):
        refused = get(world, who, observation_url(world), etag)
        assert refused.status_code == 404
        assert refused.get_json()["error"]["code"] == "not_found"
    # Ben takes the sharing back: the lead who could download it now cannot, ETag or not.
    lead = world.get("lead", observation_url(world))
    assert lead.status_code == 200
    school._ok(
        world.clients["ben"].put(
            "observation", world.ids["shared"], {"visibility": "participants"}, base=10**6
        )
    )
    gone = get(world, "lead", observation_url(world), lead.headers["ETag"])
    assert gone.status_code == 404


def test_every_download_is_audited_also_a_304(world, app):
    from server.audit import REPORT, AuditEvent
    from server.extensions import db

    first = world.get("ben", observation_url(world))
    get(world, "ben", observation_url(world), first.headers["ETag"])
    with app.app_context():
        rows = db.session.query(AuditEvent).filter(AuditEvent.action == REPORT).count()
    assert rows == 2
