"""A school's time zone: one fallback for every feature (reports and reminders alike)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from server import school
from server.reminders import events, preferences
from server.reminders import schedule as reminder_schedule
from server.reports import service as reports


@pytest.mark.parametrize("name", [None, "", "Mars/Olympus_Mons", "../../etc/passwd"])
def test_a_missing_or_unknown_zone_falls_back_to_the_default(name):
    assert (
        school.school_zone(name) == ZoneInfo(school.DEFAULT_TIMEZONE) == ZoneInfo("Europe/London")
    )


def test_a_known_zone_is_used():
    assert school.school_zone("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize("module", [reports, events, preferences, reminder_schedule])
def test_every_feature_reads_the_zone_through_the_one_helper(module):
    assert module.school_zone is school.school_zone
