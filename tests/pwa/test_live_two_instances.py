"""Partner notes live on PostgreSQL with two app instances (issue 12), in Chromium: each phone
talks to its own instance; a note written on one reaches the other's screen by NOTIFY (the
stream is on one instance, the push lands on the other)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.pwa.helpers import (
    PHONE,
    ApiUser,
    NewContext,
    Person,
    open_app,
    prepare_instance,
    seed_staff,
    sign_in,
    write_note,
)
from tests.support.live import LiveServer
from tests.support.postgres import PostgresCluster

pytestmark = pytest.mark.browser


@pytest.fixture
def pg_database(pg_cluster: PostgresCluster, pg_template: str) -> Iterator[str]:
    name = "b_" + uuid.uuid4().hex[:16]
    pg_cluster.execute(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    yield pg_cluster.url(name)
    pg_cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def instances(pg_database: str, tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    pair = [
        LiveServer(pg_database, prepare_instance(tmp_path / f"i{n}"), workers=1, threads=8)
        for n in (1, 2)
    ]
    for server in pair:
        server.start()
    yield pair[0], pair[1]
    for server in pair:
        server.stop()


def test_a_note_typed_on_one_instance_appears_live_on_a_phone_of_the_other(
    new_context: NewContext, instances: tuple[LiveServer, LiveServer], pg_database: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    first, second = instances
    staff: dict[str, Person] = seed_staff(first, pg_database, tmp_path / "seed")
    api = ApiUser.login(first, staff["observer"].email)
    observation_id = api.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")]
    )
    route = f"capture/{observation_id}"
    phones = {}
    for key, server in (("observer", first), ("observee", second)):
        page = new_context(viewport=PHONE).new_page()
        sign_in(page, server.url, staff[key])
        open_app(page, server.url, route)
        page.wait_for_selector("main[data-ready=capture]")
        expect(page.locator("#sync-line")).to_have_attribute("data-live", "open")
        phones[key] = page
    write_note(phones["observer"], "Typed on the first instance")
    expect(phones["observee"].locator("li.partner-note .note-text")).to_have_text(
        ["Typed on the first instance"], timeout=15_000
    )
    write_note(phones["observee"], "And back from the second")
    expect(phones["observer"].locator("li.partner-note .note-text")).to_have_text(
        ["And back from the second"], timeout=15_000
    )
