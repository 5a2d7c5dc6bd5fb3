"""What the push service's answers mean, and the headers' values."""

from __future__ import annotations

import re

import pytest

from server.reminders.delivery import classify, retry_after_seconds, topic


@pytest.mark.parametrize(
    ("status", "result"),
    [
        (201, "sent"),
        (202, "sent"),
        (404, "gone"),
        (410, "gone"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
        (400, "failed"),
        (401, "failed"),
        (403, "failed"),
        (413, "failed"),
    ],
)
def test_statuses(status, result):
    assert classify(status, None, "").result == result


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 + 60) == 0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    assert classify(429, "30", "").retry_after == 30


def test_the_topic_is_32_url_safe_characters_and_stable():
    value = topic("notes-0b6e2d1c-7a55-4d0e-9a3e-5c1f2b3a4d5e")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", value)
    assert value == topic("notes-0b6e2d1c-7a55-4d0e-9a3e-5c1f2b3a4d5e")
    assert value != topic("review-0b6e2d1c-7a55-4d0e-9a3e-5c1f2b3a4d5e")
