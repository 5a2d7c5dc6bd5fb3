"""The observation summary: context, everyone's notes in time order, review, next steps,
lesson-study predictions beside what case pupils did, and conflicts shown as both versions."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.reports import world as school
from tests.reports.helpers import assert_pdf_download, in_order, pdf_pages, pdf_text
from tests.support.sync import hlc, new_id

URL = "/api/v1/reports/observations/{}.pdf"


def test_summary_merges_everyone_s_notes_in_time_order(factory, keep_pages):
    world = school.build(factory)
    response = world.get("lead", URL.format(world.ids["shared"]))
    content = assert_pdf_download(response, r"observation-2026-11-10-shared-fractions-lesson\.pdf")
    text = pdf_text(content)
    assert in_order(text, *(note for *_, note in school.SHARED_NOTES))
    for name in ("Ana Silva", "Ben Okafor"):
        assert name in text
    assert in_order(
        text,
        "Shared fractions lesson",
        "Peer observation",
        "8B",
        "Questioning that makes every pupil think",
        "What was agreed",  # what was agreed comes first (README: leads), then the notes
        "Strengths",
        "Clear modelling",
        "Agreed next steps",
        "Try a hinge question before the task.",
        "Reflection",
        "Wait time helped the quieter pupils.",
        "Notes",
    )
    assert "PRIVATE" not in text
    assert school.SCHOOL.casefold() in text.casefold()
    keep_pages(content, "observation")


def test_note_text_is_printed_as_text_never_as_markup(factory):
    world = school.build(factory)
    shared = world.ids["shared"]
    hostile = '<img src="file:///etc/passwd"> <b>bold?</b> <script>alert(1)</script> & done'
    school.note(world, "ana", shared, school.at(10), 30, "evidence", hostile)
    text = pdf_text(world.get("ben", URL.format(shared)).data)
    assert '<img src="file:///etc/passwd">' in text
    assert "<b>bold?</b> <script>alert(1)</script> & done" in text
    assert "root:x:0:0" not in text


def test_text_in_any_script_prints(factory, keep_pages):
    world = school.build(factory)
    shared = world.ids["shared"]
    lines = [
        ("evidence", "Zoë's café naïveté: élève très motivée"),
        ("pupils", "الطلاب يعملون في مجموعات صغيرة"),
        ("strength", "学生们积极参与讨论。"),
        ("wondering", "Emoji 👍🏽 🎉 ✅ 1️⃣ and digits 0123456789"),
    ]
    for minute, (category, text) in enumerate(lines, start=20):
        school.note(world, "ben", shared, school.at(10), minute, category, text)
    content = world.get("ben", URL.format(shared)).data
    text = pdf_text(content)
    assert "Zoë's café naïveté: élève très motivée" in text
    assert "学生们积极参与讨论。" in text
    assert "digits 0123456789" in text
    assert "مجموعات" in text or "تاعومجم" in text  # extraction may reverse right-to-left runs
    keep_pages(content, "observation-scripts")


def test_right_to_left_writing_is_set_from_the_right(factory):
    world = school.build(factory)
    arabic = "الطلاب يعملون في مجموعات صغيرة ويشرحون طريقتهم"
    lesson = school.observation(
        world, "rtl", "ana", "ben", "RTL lesson", school.at(12), strengths=arabic
    )
    content = world.get("ben", URL.format(lesson)).data
    starts = text_starts(content)
    arabic_x = [x for text, x in starts if "مجموعات" in text or "تاعومجم" in text]
    latin_x = [x for text, x in starts if text.startswith("Strengths")]
    assert arabic_x
    assert latin_x
    # A left-aligned paragraph would start at the heading's margin; this one ends at the right.
    assert min(arabic_x) > latin_x[0] + 100


def text_starts(content: bytes) -> list[tuple[str, float]]:
    """Each text run on the first page with the x where it is drawn."""
    runs: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text.strip(), cm[4] + tm[4] * cm[0]))

    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=visit)
    return runs


def test_deleted_notes_stay_out(factory):
    world = school.build(factory)
    shared = world.ids["shared"]
    gone = school.note(world, "ana", shared, school.at(10), 40, "evidence", "DELETED-NOTE")
    world.clients["ana"].delete("note", gone, base=10**6)
    assert "DELETED-NOTE" not in pdf_text(world.get("ben", URL.format(shared)).data)


def test_lesson_study_predictions_stand_beside_what_case_pupils_did(factory, keep_pages):
    world = school.build(factory)
    lesson = school.observation(
        world,
        "study",
        "ana",
        "ben",
        "Ratio lesson study",
        school.at(11),
        kind="lesson_study",
        case_pupils=["A", "B"],
    )
    start = school.at(11)
    school.note(
        world,
        "ana",
        lesson,
        start,
        -60,
        "prediction",
        "A will reach for the cubes.",
        case_pupil="A",
    )
    school.note(
        world,
        "ben",
        lesson,
        start,
        -50,
        "prediction",
        "B will explain the pattern.",
        case_pupil="B",
    )
    school.note(
        world, "ana", lesson, start, 12, "pupils", "A drew a bar model instead.", case_pupil="A"
    )
    school.note(
        world, "ben", lesson, start, 20, "pupils", "B explained it to a partner.", case_pupil="B"
    )
    content = world.get("ana", URL.format(lesson)).data
    section = pdf_text(content).split("Pupil What we predicted What they did")[1]
    assert in_order(
        section,
        "A",
        "A will reach for the cubes.",
        "A drew a bar model instead.",
        "B",
        "B will explain the pattern.",
        "B explained it to a partner.",
    )
    keep_pages(content, "observation-lesson-study")


def test_conflicting_edits_print_both_versions(factory):
    world = school.build(factory)
    shared = world.ids["shared"]
    base = world.clients["ana"].put("observation", shared, {"wonderings": "First"}, base=10**6)[
        "version"
    ]
    ana, ben = world.clients["ana"], world.clients["ben"]
    ana.put(
        "observation",
        shared,
        {"wonderings": "Ana's wondering"},
        base=base,
        hlc=hlc(ana.session.client_id, 2_000_000_000_000),
    )
    result = ben.put(
        "observation",
        shared,
        {"wonderings": "Ben's wondering"},
        base=base,
        hlc=hlc(ben.session.client_id, 2_000_000_000_010),
    )
    assert result["status"] == "merged"
    text = pdf_text(world.get("lead", URL.format(shared)).data)
    assert in_order(
        text,
        "Edits kept side by side",
        "Wonderings",
        "Ben's wondering",
        "Ana's wondering",
        "by Ana Silva",
    )


def test_running_header_and_page_numbers_on_every_page(factory):
    world = school.build(factory)
    shared = world.ids["shared"]
    for minute in range(20, 120, 2):
        school.note(
            world,
            "ana",
            shared,
            school.at(10),
            minute,
            "evidence",
            f"Long lesson note {minute}: pupils kept working on the problem set.",
        )
    pages = pdf_pages(world.get("ben", URL.format(shared)).data)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Generated" in page
    for page in pages[1:]:
        assert "Hillside Primary · Shared fractions lesson" in page
    assert "Contents" in pages[0]


def test_bad_and_unknown_ids(factory):
    world = school.build(factory)
    response = world.get("lead", URL.format("not-a-uuid"))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_id"
    response = world.get("lead", URL.format(new_id()))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    world.clients["ana"].delete("observation", world.ids["shared"], base=10**6)
    assert world.get("ana", URL.format(world.ids["shared"])).status_code == 404


def test_an_observation_too_long_to_print_is_refused(factory, monkeypatch):
    from server.reports import service as reports

    world = school.build(factory)
    monkeypatch.setattr(reports, "MAX_NOTES", 3)
    response = world.get("ben", URL.format(world.ids["shared"]))
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "report_too_large"
    assert error["message"].endswith("Read this observation in the app instead.")
