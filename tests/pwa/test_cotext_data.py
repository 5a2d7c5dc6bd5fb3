"""The PWA's data layer for co-written text (pwa/js/cotext.js, outbox.js, sync.js) in Chromium.

The screens call putRecord; these tests call it as they do (the app's own module instances)
against the live server: a base keeps a partner's words that came while the person typed,
offline saves of one field become one update, a resend after a lost answer changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Route

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
    wait_until,
)
from tests.support.cotext import Replica, edit
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser
START = "Start."

# Runs in the page: the app's modules, by the versioned URLs the app itself loaded.
CALL = """async ([module, name, args]) => {
  const app = document.querySelector('script[type=module]').src;
  const mod = await import(app.replace(/js\\/app\\.js$/, `js/${module}.js`));
  return mod[name](...args);
}"""
OUTBOX = """async () => {
  const app = document.querySelector('script[type=module]').src;
  const db = await import(app.replace(/js\\/app\\.js$/, 'js/db.js'));
  return db.transact(['outbox'], 'readonly', (tx) => db.firstEntries(tx));
}"""


def call(page: Page, module: str, name: str, *args: Any) -> Any:
    return page.evaluate(CALL, [module, name, list(args)])


def setting(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> tuple[Page, Network, ApiUser, str]:
    """Ana's phone on the review of an observation she shares with Ben, whose script co-writes."""
    ben = ApiUser.login(live, staff["observee"].email)
    people = [(staff["observer"], "observer"), (staff["observee"], "observee")]
    observation_id = ben.observation(people, strengths=START)
    context = new_context(viewport=PHONE)
    network = Network(context)
    page = context.new_page()
    sign_in(page, live.url, staff["observer"])
    open_app(page, live.url, f"review/{observation_id}")
    page.wait_for_selector("main[data-ready=review]")
    wait_synced(page)
    return page, network, ben, observation_id


def ben_writes(ben: ApiUser, observation_id: str, words: str) -> None:
    """Ben's device inserts words at the start of Strengths, as a Yjs edit."""
    record = ben.pull_all()[("observation", observation_id)]
    update = Replica.pulled(record, "strengths").insert(0, words)
    assert (
        ben.put("observation", observation_id, {"strengths": edit(update)})["status"] == "applied"
    )


def strengths_on(page: Page, observation_id: str) -> tuple[str, dict[str, Any]]:
    record = call(page, "db", "readRecord", "observation", observation_id)
    return {**record["fields"], **record["local"]}["strengths"], record


def test_a_base_keeps_the_words_a_partner_added_while_one_typed(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    page, network, ben, observation_id = setting(new_context, live, staff)
    _, record = strengths_on(page, observation_id)
    base = record["yjs"]["strengths"]  # what a draft captures when the person starts typing
    ben_writes(ben, observation_id, "Ben: calm start. ")
    sync_and_wait(page, network)  # Ben's words reach the phone while Ana types
    saves = (f"{START} Ana: clear model.", f"{START} Ana: clear model. More.")
    wanted = ("Ben: calm start. Start. Ana: clear model.", f"Ben: calm start. {saves[1]}")
    for text, merged in zip(saves, wanted, strict=True):
        # Ana's box never showed Ben's words; each save of her draft names its base.
        call(page, "outbox", "putRecord", "observation", observation_id,
             {"strengths": text}, {"bases": {"strengths": base}})  # fmt: skip
        # The sync line may still say "nothing waiting" before the save shows on it: wait for
        # the server to hold the merged text instead.
        on_server = server_strengths(page, ben, observation_id, merged)
        assert on_server == merged
        wait_synced(page)
    assert strengths_on(page, observation_id)[0] == wanted[1]


def server_strengths(page: Page, ben: ApiUser, observation_id: str, expected: str) -> str:
    """The server's Strengths once it is `expected`, or as it is after 30 s."""
    for _ in range(150):
        found = ben.pull_all()[("observation", observation_id)]["fields"]["strengths"]
        if found == expected:
            break
        page.wait_for_timeout(200)  # not time.sleep: the page's routed requests go on
    return str(found)


def test_offline_saves_become_one_update_and_a_lost_answer_is_harmless(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    page, network, ben, observation_id = setting(new_context, live, staff)
    network.set_offline(True)
    text = START
    for words in (" One.", " Two.", " Three."):
        text += words
        call(page, "outbox", "putRecord", "observation", observation_id, {"strengths": text})
    (entry,) = page.evaluate(OUTBOX)
    assert set(entry["fields"]["strengths"]) == {"yjs"}  # one coalesced update, not a string
    answers: list[str] = []

    def lose_first_answer(route: Route) -> None:
        response = route.fetch()  # the server applies the push ...
        answers.append(response.json()["results"][0]["status"])
        if len(answers) == 1:
            route.abort("connectionreset")  # ... and the phone never hears back
        else:
            route.fulfill(response=response)

    page.context.route("**/api/v1/sync/push", lose_first_answer)  # the page's and the worker's
    network.set_offline(False)
    wait_synced(page)  # resent after the backoff: `duplicate`, delivered
    assert answers[:2] == ["applied", "duplicate"]
    on_server = ben.pull_all()[("observation", observation_id)]
    assert on_server["fields"]["strengths"] == "Start. One. Two. Three."
    assert on_server["conflicts"] == []
    assert strengths_on(page, observation_id)[0] == "Start. One. Two. Three."


def test_an_edit_waiting_to_be_sent_survives_a_pull_and_later_edits_build_on_both(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    page, network, ben, observation_id = setting(new_context, live, staff)
    saved: list[str] = []

    def save_while_pulling(route: Route) -> None:
        if not saved:  # Ana saves while the pull carrying Ben's words is on its way
            saved.append(f"{START} Ana: clear model.")
            call(page, "outbox", "putRecord", "observation", observation_id,
                 {"strengths": saved[0]})  # fmt: skip
        route.continue_()

    def no_push_yet(route: Route) -> None:
        route.abort("internetdisconnected")  # so the phone's edit stays unsent, only merged

    page.context.route("**/api/v1/sync/push", no_push_yet)
    page.context.route("**/api/v1/sync/pull*", save_while_pulling)
    # Ben writes once the routes are in place: the review's live channel pulls as soon as his
    # words are on the server, and that pull must be one that Ana's save rides on too.
    ben_writes(ben, observation_id, "Ben: calm start. ")
    network.resync()
    both = "Ben: calm start. Start. Ana: clear model."  # merged on the phone: never sent yet
    wait_until(lambda: strengths_on(page, observation_id)[0] == both, "the pull lost an edit")
    more = {"strengths": both + " More."}  # a later save, from the text the phone shows
    call(page, "outbox", "putRecord", "observation", observation_id, more)
    page.context.unroute("**/api/v1/sync/push", no_push_yet)
    sync_and_wait(page, network)
    merged = "Ben: calm start. Start. Ana: clear model. More."
    assert ben.pull_all()[("observation", observation_id)]["fields"]["strengths"] == merged
    assert strengths_on(page, observation_id)[0] == merged
