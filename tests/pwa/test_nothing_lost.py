"""A screen never throws away what a person typed (the audit of every redrawing screen).

Screens redraw whenever the sync moves (the connection comes and goes, a partner's change
arrives). For each text, number, date, time and select control a redraw can hit, the table
says who opens which screen, what they tap to reach the control and what they type; the test
types it, makes the screen redraw twice (offline, then online again: `main[data-redraws]`
counts the redraws the app has done) and checks the control still shows it. The static side
of the same rule: tests/test_typed_is_kept.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.helpers import (
    ADMIN_EMAIL,
    PHONE,
    ApiUser,
    Network,
    NewContext,
    Person,
    open_app,
    sign_in,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1280, "height": 900}
REDRAWS = "() => Number(document.querySelector('main').dataset.redraws || 0)"


@dataclass(frozen=True)
class Control:
    who: str  # teacher (the observer), lead or admin
    route: str  # {obs}: the observation of the world
    label: str  # what the person would call it, for the failure message
    selector: str
    value: str  # typed; for a select, the value chosen ({colleague}: that person's id)
    opens: tuple[str, ...] = ()  # the buttons tapped first (their accessible names)


CONTROLS = [
    Control("teacher", "capture/{obs}", "note", "#note-text", "Pupils paired up to check"),
    Control("teacher", "capture/{obs}", "clock: minutes ago", ".clock-ago", "7",
            ("Adjust when the lesson started",)),
    Control("teacher", "capture/{obs}", "clock: started at", ".clock-at", "09:05",
            ("Adjust when the lesson started",)),
    Control("teacher", "capture/{obs}", "photo caption",
            "input[aria-label='Caption for the next photo']", "Year 8 book, page 12"),
    Control("teacher", "review/{obs}", "next step", ".add-step input[type=text]",
            "Try a hinge question"),
    Control("teacher", "review/{obs}", "next step: whose", ".add-step select", "{observee}"),
    Control("teacher", "review/{obs}", "next step: by when", ".add-step input[type=date]",
            "2030-06-30"),
    Control("teacher", "review/{obs}", "whose notes", "select[aria-label='Whose notes']",
            "{teacher}"),
    Control("teacher", "settings", "new quick phrase", "#new-phrase", "Hinge question asked"),
    Control("teacher", "learning", "my focus: title", "form input[type=text]",
            "Quieter pupils talking"),
    Control("teacher", "search", "search", "#search-box", "hinge"),
    Control("lead", "lead", "new look-for", "input[aria-label^='New look-for']",
            "Pupils explain their thinking"),
    Control("lead", "lead", "look-for being changed", "input[aria-label='Look-for']",
            "Pupils explain why", ("Change look-for: Pupils ask questions",)),
    Control("lead", "lead", "focus being edited: title", "form.stack input[maxlength='200']",
            "Questioning for all", ("Edit focus",)),
    Control("lead", "lead", "focus being edited: description", "form.stack textarea",
            "Every pupil thinks", ("Edit focus",)),
    Control("lead", "lead", "report from", "input[name=report-from]", "2026-09-02"),
    Control("lead", "lead", "report focus", "select[name=report-focus]", "{focus}"),
    Control("lead", "lead", "teacher for the record",
            "select[aria-label='Teacher for the record']", "{observee}"),
    Control("lead", "lead", "shared: from", "input[name=shared-from]", "2026-09-03"),
    Control("lead", "lead", "shared: kind", "select[name=shared-kind]", "coaching"),
    Control("admin", "erase", "person to erase", "select[name=person]", "{colleague}"),
    Control("admin", "erase", "erase: typed name", "input[name=confirm]", "Chloe Martin"),
    Control("admin", "sign-in-setup", "provider", "select[name=kind]", "microsoft"),
    Control("admin", "sign-in-setup", "button text", "input[name=label]", "Hill staff"),
    Control("admin", "sign-in-setup", "tenant", "input[name=tenant]", "a1b2c3"),
    Control("admin", "sign-in-setup", "issuer", "input[name=issuer]", "https://id.example"),
    Control("admin", "sign-in-setup", "client id", "input[name=client_id]", "lesson-loop"),
    Control("admin", "sign-in-setup", "client secret", "input[name=client_secret]", "s3cret!"),
    Control("admin", "sign-in-setup", "email domains", "input[name=allowed_domains]",
            "hill.example"),
]  # fmt: skip


def redraw_twice(page: Page, network: Network) -> None:
    """Offline, then online again, each time waiting until the screen has been redrawn."""
    for offline in (True, False):
        before = page.evaluate(REDRAWS)
        network.set_offline(offline)
        page.wait_for_function(f"{REDRAWS} > {before}")


def type_into(page: Page, control: Control, value: str) -> None:
    box = page.locator(control.selector).first
    if box.evaluate("el => el.tagName") == "SELECT":
        box.select_option(value)
    else:
        box.fill(value)


def world(live: LiveServer, staff: dict[str, Person]) -> dict[str, str]:
    """An observation of the teacher and the observee, with a note of each; a school focus
    with a look-for."""
    teacher = ApiUser.login(live, staff["observer"].email)
    observee = ApiUser.login(live, staff["observee"].email)
    lead = ApiUser.login(live, staff["lead"].email)
    people = [(staff["observer"], "observer"), (staff["observee"], "observee")]
    obs = teacher.observation(people)
    for who in (teacher, observee):
        note = {"observation_id": obs, "at": "2026-11-20T09:10:00+00:00", "category": "evidence"}
        who.put("note", str(uuid.uuid4()), {**note, "text": f"A note of {who.user['id']}"})
    focus = str(uuid.uuid4())
    lead.put("focus", focus, {"title": "Questioning", "description": "", "kind": "school",
                              "active": True})  # fmt: skip
    lead.put("lookfor", str(uuid.uuid4()), {"focus_id": focus, "text": "Pupils ask questions",
                                            "active": True})  # fmt: skip
    ids = {key: person.id for key, person in staff.items()}
    return {**ids, "teacher": staff["observer"].id, "obs": obs, "focus": focus}


def test_what_is_typed_survives_redraws_on_every_screen(
    live: LiveServer, staff: dict[str, Person], new_context: NewContext
) -> None:
    ids = world(live, staff)
    admin = Person("", ADMIN_EMAIL, "School admin", "admin", "admin password 1")
    people = {"teacher": staff["observer"], "lead": staff["lead"], "admin": admin}
    devices: dict[str, tuple[Page, Network]] = {}
    lost = []
    for control in CONTROLS:
        if control.who not in devices:
            context = new_context(viewport=PHONE if control.who == "teacher" else LAPTOP)
            devices[control.who] = (context.new_page(), Network(context))
            sign_in(devices[control.who][0], live.url, people[control.who])
        page, network = devices[control.who]
        open_app(page, live.url, control.route.format(**ids))
        page.wait_for_selector(f"main[data-ready='{control.route.split('/')[0]}']")
        for name in control.opens:  # unless it is open already (a row before opened it)
            if not page.locator(control.selector).first.is_visible():
                page.get_by_role("button", name=name).first.click()
        value = control.value.format(**ids)
        type_into(page, control, value)
        redraw_twice(page, network)
        box = page.locator(control.selector).first
        try:
            expect(box).to_have_value(value, timeout=5_000)
        except AssertionError:
            lost.append(f"{control.route.split('/')[0]}: {control.label}")
    assert lost == [], f"typed and then lost on a redraw: {lost}"
