"""Report date ranges at the edges of the calendar are refused in one place
(server/reports/access.py): `400` in the one error shape for the teacher record, the focus
report and the action plan alike, never an overflow."""

from __future__ import annotations

import pytest

from tests.support.sync import SyncClient, new_id
from tests.test_errors import assert_error_shape


@pytest.fixture
def urls(factory):
    school = factory.school()
    lead = SyncClient(factory.session(school, role="lead"))
    focus_id = new_id()
    lead.put("focus", focus_id, {"title": "Questioning", "kind": "school"})
    return lead.session, [
        f"/api/v1/reports/teachers/{lead.user_id}.pdf",
        f"/api/v1/reports/focuses/{focus_id}.pdf",
        "/api/v1/reports/action-plan.pdf",
    ]


EDGES = [
    ({"from": "9999-12-31"}, "from"),
    ({"to": "0001-01-01"}, "to"),
    ({"from": "9999-12-30", "to": "9999-12-31"}, "from"),
    ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
    ({"to": "0001-01-05"}, "to"),
    ({"from": "9999-01-01"}, "from"),
]


@pytest.mark.parametrize(("query", "field"), EDGES)
def test_a_day_at_the_edge_of_the_calendar_is_400(urls, query, field):
    lead, paths = urls
    for path in paths:
        error = assert_error_shape(lead.get(path, query_string=query), 400, "validation_error")
        assert field in error["details"], (path, error)


def test_the_first_and_last_report_days_render(urls):
    lead, paths = urls
    for query in ({"to": "0002-01-01"}, {"from": "9998-12-01", "to": "9998-12-31"}):
        for path in paths:
            response = lead.get(path, query_string=query)
            assert response.status_code == 200, (path, query, response.get_json())
            assert response.data.startswith(b"%PDF-")
