"""Report downloads beyond the permission table: which role downloads which report is one table
with pull's read rules, in tests/test_policy.py. Here: another school's lead sees nothing of
ours in their action plan, and every report needs a sign-in.
"""

from __future__ import annotations

import pytest

from tests.reports import world as school
from tests.reports.helpers import pdf_text


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
