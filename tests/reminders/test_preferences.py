"""Notification settings: which kinds arrive, and quiet hours in the school's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from server.reminders.preferences import Preferences, next_allowed

LONDON = ZoneInfo("Europe/London")
DEFAULTS = Preferences.from_stored({})


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


# 2026-11-18 is a Wednesday; 2026-11-20 a Friday.
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (london(2026, 11, 18, 12, 0), london(2026, 11, 18, 12, 0)),  # school day: at once
        (london(2026, 11, 18, 7, 0), london(2026, 11, 18, 7, 0)),  # the end is not quiet
        (london(2026, 11, 18, 18, 59), london(2026, 11, 18, 18, 59)),
        (london(2026, 11, 18, 19, 0), london(2026, 11, 19, 7, 0)),  # evening: next morning
        (london(2026, 11, 18, 23, 30), london(2026, 11, 19, 7, 0)),
        (london(2026, 11, 19, 3, 0), london(2026, 11, 19, 7, 0)),  # night: this morning
        (london(2026, 11, 20, 20, 0), london(2026, 11, 23, 7, 0)),  # Friday night: Monday
        (london(2026, 11, 21, 10, 0), london(2026, 11, 23, 7, 0)),  # Saturday: Monday
        (london(2026, 11, 22, 23, 0), london(2026, 11, 23, 7, 0)),  # Sunday night: Monday
        (london(2026, 3, 28, 12, 0), london(2026, 3, 30, 7, 0)),  # across the clock change
    ],
)
def test_default_quiet_hours_are_evenings_nights_and_weekends(now, expected):
    assert next_allowed(now.astimezone(dt.UTC), DEFAULTS, LONDON) == expected.astimezone(dt.UTC)


def test_quiet_hours_follow_the_school_time_zone():
    # 19:30 in Auckland on a Wednesday is 06:30 UTC: quiet there, though not in London.
    auckland = ZoneInfo("Pacific/Auckland")
    now = dt.datetime(2026, 11, 18, 19, 30, tzinfo=auckland)
    assert next_allowed(now, DEFAULTS, auckland) == dt.datetime(2026, 11, 19, 7, 0, tzinfo=auckland)


def test_no_quiet_hours_and_a_daytime_window():
    none = Preferences.from_stored({"quiet_hours": None, "quiet_weekends": False})
    saturday_night = london(2026, 11, 21, 23, 0).astimezone(dt.UTC)
    assert next_allowed(saturday_night, none, LONDON) == saturday_night
    lunch = Preferences.from_stored(
        {"quiet_hours": {"start": "12:00", "end": "13:15"}, "quiet_weekends": False}
    )
    assert next_allowed(london(2026, 11, 18, 12, 30), lunch, LONDON) == london(2026, 11, 18, 13, 15)
    assert next_allowed(london(2026, 11, 18, 13, 15), lunch, LONDON) == london(2026, 11, 18, 13, 15)


def test_settings_show_the_defaults(factory):
    session = factory.session(factory.school())
    response = session.get("/api/v1/me/notifications")
    assert response.status_code == 200
    assert response.get_json() == {
        "kinds": {
            "partner_notes": True,
            "review_requested": True,
            "next_step_due": True,
            "weekly_reflection": True,
        },
        "quiet_hours": {"start": "19:00", "end": "07:00"},
        "quiet_weekends": True,
        "timezone": "Europe/London",
        "device_subscribed": False,
    }


def test_settings_change_one_part_at_a_time(factory, loopback_app, push_service):
    session = factory.session(factory.school())
    response = session.patch(
        "/api/v1/me/notifications", json={"kinds": {"weekly_reflection": False}}
    )
    assert response.status_code == 200
    assert response.get_json()["kinds"]["weekly_reflection"] is False
    response = session.patch(
        "/api/v1/me/notifications",
        json={"kinds": {"partner_notes": False}, "quiet_hours": {"start": "18:30", "end": "7:45"}},
    )
    body = response.get_json()
    assert body["kinds"] == {
        "partner_notes": False,
        "review_requested": True,
        "next_step_due": True,
        "weekly_reflection": False,
    }
    assert body["quiet_hours"] == {"start": "18:30", "end": "07:45"}
    response = session.patch(
        "/api/v1/me/notifications", json={"quiet_hours": None, "quiet_weekends": False}
    )
    assert response.get_json()["quiet_hours"] is None
    assert response.get_json()["quiet_weekends"] is False
    push = session.post("/api/v1/push/subscriptions", json=push_service.new_device().subscription)
    assert push.status_code == 201
    assert session.get("/api/v1/me/notifications").get_json()["device_subscribed"] is True


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"kinds": {"gossip": True}}, "kinds"),
        ({"kinds": {"partner_notes": "no"}}, "kinds"),
        ({"kinds": {"partner_notes": 0}}, "kinds"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "7pm", "end": "07:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "19:00:30", "end": "07:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "19:00", "end": "19:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "19:00"}}, "quiet_hours"),
        ({"quiet_weekends": "yes"}, "quiet_weekends"),
        ({"timezone": "Europe/Paris"}, "timezone"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(factory, body, where):
    session = factory.session(factory.school())
    before = session.get("/api/v1/me/notifications").get_json()
    response = session.patch("/api/v1/me/notifications", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert where in error["details"]
    assert session.get("/api/v1/me/notifications").get_json() == before


def test_settings_are_per_user(factory):
    school = factory.school()
    one, two = factory.session(school), factory.session(school)
    one.patch("/api/v1/me/notifications", json={"quiet_weekends": False})
    assert two.get("/api/v1/me/notifications").get_json()["quiet_weekends"] is True
