"""The Lead screen's look-for trend: the focus report's data and charts as SVG, for leads only.

The world's walks on the focus: Maths 4 visits, Science 3, English 2 (one walk, two visits).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reports import walks as tallies
from tests.reports import world as school

URL = "/api/v1/reports/focuses/{}/trend"
SVG = "{http://www.w3.org/2000/svg}svg"


def _trend(world, reader="lead", **query):
    return world.get(reader, URL.format(world.ids["focus"]), query_string=query or school.PERIOD)


def test_the_trend_is_the_focus_reports_chart_for_each_look_for(factory):
    world = school.build(factory)
    response = _trend(world)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["from"], body["to"]) == (school.PERIOD["from"], school.PERIOD["to"])
    assert (body["walks"], body["visits"]) == (8, 9)
    texts = [look["text"] for look in body["lookfors"]]
    assert texts == ["Wait time of three seconds", "No hands up", "Probing follow-up questions"]
    for look in body["lookfors"]:
        root = ET.fromstring(look["svg"])
        assert root.tag == SVG
        assert root.get("aria-label") == "Look-for ratings over time"
        for name in [*school.NAMES, "Okafor", "Silva"]:
            assert name not in look["svg"]
    # Probing follow-up questions was rated in 2 visits only: its column is drawn as hidden.
    probe = body["lookfors"][2]["svg"]
    assert f"&lt;{tallies.MIN_VISITS}" in probe
    assert "Seen" not in probe


def test_only_leads_read_the_trend_and_bad_input_gets_the_one_error_shape(factory):
    world = school.build(factory)
    teacher = world.get("ana", URL.format(world.ids["focus"]))
    assert teacher.status_code == 403
    assert teacher.get_json()["error"]["code"] == "forbidden"
    assert world.get("lead", URL.format("nope")).get_json()["error"]["code"] == "invalid_id"
    missing = world.get("lead", URL.format("00000000-0000-4000-8000-000000000000"))
    assert missing.status_code == 404
    backwards = _trend(world, **{"from": "2026-11-30", "to": "2026-09-01"})
    assert backwards.status_code == 400
    assert backwards.get_json()["error"]["code"] == "invalid_range"
    misspelt = _trend(world, **{"form": "2026-09-01"})
    assert misspelt.status_code == 400
    assert set(misspelt.get_json()) == {"error"}
