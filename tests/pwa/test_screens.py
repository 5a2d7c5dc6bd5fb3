"""Every screen at phone size (390 x 844): saved as PNG for people to look at, checked by axe."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pwa.helpers import (
    PHONE,
    ApiUser,
    Network,
    NewContext,
    Person,
    Shots,
    open_app,
    run_cli,
    sign_in,
    sync_and_wait,
    write_note,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "riverside-demo"
ANA = Person("", "ana.silva@riverside.example", "Ana Silva", "teacher", DEMO_PASSWORD)
TOM = Person("", "tom.reilly@riverside.example", "Tom Reilly", "lead", DEMO_PASSWORD)


def conflict_on_strengths(live: LiveServer) -> str:
    """A peer observation of Ana's where she and her partner changed `strengths` at once."""
    ana = ApiUser.login(live, ANA.email, DEMO_PASSWORD)
    records = ana.pull_all()
    me = ana.user["id"]
    pair = next(
        change
        for (entity, _), change in sorted(records.items(), key=lambda item: item[0][1])
        if entity == "observation"
        and change["fields"]["kind"] == "peer_observation"
        and any(
            p["user_id"] == me and p["role"] == "observer" for p in change["fields"]["participants"]
        )
    )
    partner_id = next(p["user_id"] for p in pair["fields"]["participants"] if p["user_id"] != me)
    partner_name = records[("user", partner_id)]["fields"]["display_name"]
    partner = ApiUser.login(
        live, partner_name.lower().replace(" ", ".") + "@riverside.example", DEMO_PASSWORD
    )
    partner.pull_all()
    ana.put(
        "observation",
        pair["id"],
        {"strengths": "Questions reached every table; pupils had time to think before answering."},
    )
    partner.put(
        "observation",
        pair["id"],
        {"strengths": "The wait time after questions was long enough for everyone to think."},
    )
    return str(pair["id"])


def test_every_screen_at_phone_size_is_saved_and_has_no_serious_accessibility_problem(
    new_context: NewContext, live: LiveServer, database_file: str, tmp_path: Path
) -> None:
    """Screens with the demo school's data. The context bypasses the CSP only because axe is
    injected as an inline script."""
    run_cli(database_file, tmp_path / "seed", "demo")
    shots = Shots()
    context = new_context(viewport=PHONE, bypass_csp=True)
    network = Network(context)
    page = context.new_page()
    open_app(page, live.url)
    shots.take(page, "01-sign-in")
    sign_in(page, live.url, ANA)

    open_app(page, live.url, "new")
    page.fill("input[type=search]", "Ben")
    page.click(".person-add")
    page.fill("input[name=class_label]", "8R")
    page.fill("input[name=subject]", "Maths")
    shots.take(page, "02-new-observation")
    page.click("form button[type=submit]")
    page.wait_for_selector("main[data-ready=capture]")
    for category, text in [
        (
            "Saw / heard",
            "Starter on mini whiteboards: every pupil showed an answer within a minute.",
        ),
        ("Pupils did", "Pupils at the back table compared methods and corrected each other."),
        ("Strength", "Calm, purposeful start: routines are clearly understood."),
        ("Wondering", "Could the hinge question come earlier, to decide who needs the extension?"),
    ]:
        page.locator(".chip", has_text=category).click()
        write_note(page, text)
    network.set_offline(True)
    page.locator(".chip", has_text="Saw / heard").click()
    write_note(page, "Teacher used 'Can you say more?' to extend a short answer.")
    page.fill("#note-text", "Cold-called three pupils in a row, each built on")
    shots.take(page, "03-capture")
    network.set_offline(False)
    page.locator(".bar-action").click()  # Done: the notes are taken
    page.wait_for_selector("main[data-ready=review]")
    open_app(page, live.url, "today")
    shots.take(page, "04-today")

    observation_id = conflict_on_strengths(live)
    sync_and_wait(page, network)
    open_app(page, live.url, f"review/{observation_id}")
    page.wait_for_selector(".field-conflict[data-field=strengths]")
    shots.take(page, "05-review-conflict", at=".field.has-conflict")
    open_app(page, live.url, "learning")
    shots.take(page, "06-my-learning")
    open_app(page, live.url, "settings")
    shots.take(page, "07-settings")

    open_app(page, live.url, "new")
    page.locator(".chip", has_text="Lesson study").click()
    page.fill("input[type=search]", "Ben")
    page.click(".person-add")
    page.click("form button[type=submit]")
    page.wait_for_selector("main[data-ready=capture]")
    page.locator(".chip", has_text="Prediction").click()
    page.locator(".chip", has_text="B").click()
    write_note(page, "Pupil B will spot the pattern but will struggle to explain it.")
    shots.take(page, "09-capture-lesson-study")

    lead = new_context(viewport=PHONE, bypass_csp=True)
    lead_page = lead.new_page()
    sign_in(lead_page, live.url, TOM)
    open_app(lead_page, live.url, "lead")
    shots.take(lead_page, "08-lead")
    open_app(lead_page, live.url, "new")
    lead_page.locator(".chip", has_text="Learning walk").click()
    lead_page.select_option("select[name=focus]", index=1)
    lead_page.click("form button[type=submit]")
    lead_page.wait_for_selector("main[data-ready=capture]")
    lead_page.get_by_role("button", name="Next classroom").click()  # a walk: classroom by classroom
    lead_page.locator(".chip", has_text="Year 4").click()
    lead_page.locator(".rating", has_text="Seen").first.click()
    lead_page.locator(".rating", has_text="Partly").nth(1).click()
    # Both ticks are counted on the classroom's row before the note is written.
    lead_page.wait_for_selector(".visit-row.open:has-text('2 ticks')")
    write_note(lead_page, "Pupils explained their method to a partner before sharing.")
    shots.take(lead_page, "10-capture-learning-walk")

    listing = "\n".join(
        f"{screen}: {v['impact']} {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
        for screen, found in shots.problems.items()
        for v in found
    )
    assert not shots.problems, f"axe found serious or critical problems:\n{listing}"
