"""Two phones co-write an observation's long texts offline: every word of both, merged in place.

The review screen saves Strengths, Wonderings and Reflection through putRecord, which sends a
co-written text as a Yjs edit (pwa/js/cotext.js); the server merges them (server/sync/cotext.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.helpers import (
    PHONE,
    ApiUser,
    Network,
    NewContext,
    Person,
    open_app,
    sign_in,
    sync_and_wait,
    wait_synced,
)
from tests.support.cotext import text_of_state
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser
PAIR = ("observer", "observee")
FIELDS = ("strengths", "wonderings", "reflection")
START = {name: f"The {name} so far. And the rest of it." for name in FIELDS}
MIDDLE = " And the rest"


def phone(
    new_context: NewContext, live: LiveServer, person: Person, route: str
) -> tuple[Page, Network]:
    context = new_context(viewport=PHONE)
    network = Network(context)
    page = context.new_page()
    sign_in(page, live.url, person)
    open_app(page, live.url, route)
    page.wait_for_selector("main[data-ready=review]")
    wait_synced(page)
    return page, network


def type_at(page: Page, name: str, where: str, words: str) -> None:
    """Put the caret at the start, the middle or the end of a field's text and type."""
    area = page.locator(f"textarea[name={name}]")
    value = area.input_value()
    at = {"start": 0, "middle": value.find(MIDDLE), "end": len(value)}[where]
    area.focus()
    area.evaluate("(a, at) => a.setSelectionRange(at, at)", at)
    page.keyboard.type(words)
    expect(area).to_have_value(value[:at] + words + value[at:])


def write_offline(page: Page, who: str) -> list[str]:
    """Type words of one's own at the start, middle and end of each field; returns them."""
    typed = []
    for name in FIELDS:
        for where in ("start", "middle", "end"):
            words = f" {who}-{name}-{where} "
            type_at(page, name, where, words)
            typed.append(words.strip())
        page.locator(f"textarea[name={name}]").blur()
    return typed


@pytest.mark.parametrize("first", PAIR)
def test_two_phones_co_write_offline_and_keep_every_word(
    first: str, new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    """Both type at the start, the middle and the end of Strengths, Wonderings and Reflection
    offline, then reconnect (in each order): both show the same texts, holding every word of
    both, with no conflict card; the server holds the same."""
    second = PAIR[1 - PAIR.index(first)]
    api = ApiUser.login(live, staff["colleague"].email)
    participants = [(staff["observer"], "observee"), (staff["observee"], "observee"),
                    (staff["colleague"], "observer")]  # fmt: skip
    observation_id = api.observation(participants, kind="team_teaching", **START)
    api.pull_all()  # the plain client's base: before anyone co-writes
    phones = {key: phone(new_context, live, staff[key], f"review/{observation_id}") for key in PAIR}
    for _, network in phones.values():
        network.set_offline(True)
    typed = [w for key in PAIR for w in write_offline(phones[key][0], staff[key].name.split()[0])]
    for key in (first, second):
        page, network = phones[key]
        network.set_offline(False)
        wait_synced(page)
    sync_and_wait(*phones[first])  # the first back now receives the other's words
    reader = ApiUser.login(live, staff["colleague"].email)  # another device: api keeps its base
    record = reader.pull_all()[("observation", observation_id)]
    assert record["conflicts"] == []
    for name in FIELDS:
        merged = record["fields"][name]
        assert text_of_state(record["yjs"][name]) == merged
        assert all(w in merged for w in typed if f"-{name}-" in w), merged
        assert "so far." in merged  # and the words there before
        assert "of it." in merged
        for page, _ in phones.values():
            expect(page.locator(f"textarea[name={name}]")).to_have_value(merged)
    for page, _ in phones.values():
        expect(page.locator(".field-conflict")).to_have_count(0)

    plain_client_conflicts(api, phones, observation_id, record["fields"]["strengths"])


def plain_client_conflicts(
    api: ApiUser, phones: dict[str, tuple[Page, Network]], observation_id: str, merged: str
) -> None:
    """A plain string from a client that never saw the co-written words: PROTOCOL.md's
    conflict (its later stamp wins, the merged text is kept), shown on both phones."""
    result = api.put("observation", observation_id, {"strengths": "A plain rewrite."})
    assert result["status"] == "merged"
    (conflict,) = result["conflicts"]
    assert conflict["value"] == merged  # kept, not dropped
    for page, network in phones.values():
        sync_and_wait(page, network)
        expect(page.locator(".field-conflict[data-field=strengths]")).to_be_visible()
