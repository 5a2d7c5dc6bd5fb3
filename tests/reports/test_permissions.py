"""Who may download which report, as one table: the read rules of pull, per report and role.

Roles: Ana observed Ben's lessons (observer), Ben (observee), Chloe (another teacher), a lead,
an admin, and Sam, a lead of another school. 404 never tells whether something exists; 403
means "this exists but is not for you" (another teacher's record, a leads-only report).
"""

from __future__ import annotations

import pytest

from tests.reports import world as school
from tests.reports.helpers import pdf_text

ROLES = ["ana", "ben", "chloe", "lead", "admin", "stranger"]


def _observation(key):
    return lambda w: f"/api/v1/reports/observations/{w.ids[key]}.pdf"


def _record(who):
    return lambda w: f"/api/v1/reports/teachers/{w.user_id(who)}.pdf"


TABLE = {
    "observation shared with leads": (
        _observation("shared"),
        {"ana": 200, "ben": 200, "chloe": 404, "lead": 200, "admin": 200, "stranger": 404},
    ),
    "observation not shared": (
        _observation("private"),
        {"ana": 404, "ben": 200, "chloe": 200, "lead": 404, "admin": 404, "stranger": 404},
    ),
    "Ben's learning record": (
        _record("ben"),
        {"ana": 403, "ben": 200, "chloe": 403, "lead": 200, "admin": 200, "stranger": 404},
    ),
    "focus report": (
        lambda w: f"/api/v1/reports/focuses/{w.ids['focus']}.pdf",
        {"ana": 403, "ben": 403, "chloe": 403, "lead": 200, "admin": 200, "stranger": 404},
    ),
    "action plan": (
        lambda w: "/api/v1/reports/action-plan.pdf",
        {"ana": 403, "ben": 403, "chloe": 403, "lead": 200, "admin": 200, "stranger": 200},
    ),
}
CODES = {403: "forbidden", 404: "not_found"}


@pytest.mark.parametrize("report", list(TABLE))
def test_each_role_gets_exactly_what_the_table_says(factory, report):
    world = school.build(factory)
    url, expected = TABLE[report]
    for role in ROLES:
        response = world.get(role, url(world))
        assert response.status_code == expected[role], (role, response.get_json())
        if expected[role] == 200:
            assert response.headers["Content-Type"] == "application/pdf"
            assert response.data.startswith(b"%PDF-")
        else:
            assert response.get_json()["error"]["code"] == CODES[expected[role]]


def test_another_school_s_action_plan_shows_nothing_of_ours(factory):
    world = school.build(factory)
    text = pdf_text(world.get("stranger", "/api/v1/reports/action-plan.pdf").data)
    assert "faraway school" in text.casefold()
    assert school.SCHOOL.casefold() not in text.casefold()
    assert "Questioning that makes every pupil think" not in text
    assert "no focuses yet" in text


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/observations/{id}.pdf",
        "/api/v1/reports/teachers/{id}.pdf",
        "/api/v1/reports/focuses/{id}.pdf",
        "/api/v1/reports/action-plan.pdf",
    ],
)
def test_every_report_needs_a_sign_in(client, url):
    response = client.get(url.format(id="00000000-0000-4000-8000-000000000000"))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
