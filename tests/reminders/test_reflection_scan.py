"""The Friday scan reads a whole school's focuses in one query (issue 17: 5,000 teachers);
each teacher's reflection names exactly the focus the per-teacher rule (own_focus, through
policy.focus_readable) chooses: their own personal focus, else a school focus, rotating by
week; inactive, deleted and other schools' focuses never."""

from __future__ import annotations

import uuid

from server.policy import Reader
from server.reminders.schedule import SchoolFocuses, own_focus
from tests.support.sync import SyncClient, new_id


def _focus(phone: SyncClient, kind: str, title: str, **fields: object) -> str:
    focus_id = new_id()
    phone.put("focus", focus_id, {"title": title, "kind": kind, **fields})
    return focus_id


def test_the_school_wide_read_chooses_each_teachers_own_focus(factory, app):
    school, other = factory.school(), factory.school()
    lead = SyncClient(factory.session(school, role="lead"))
    teachers = [SyncClient(factory.session(school)) for _ in range(4)]
    stranger = SyncClient(factory.session(other))
    _focus(stranger, "personal", "Elsewhere")
    SyncClient(factory.session(other, role="lead"))
    # teacher 0: three personal focuses, one inactive, one deleted; teacher 1: one personal;
    # teachers 2 and 3: none (the school's focuses, one of them inactive)
    for n in range(3):
        _focus(teachers[0], "personal", f"Mine {n}")
    _focus(teachers[0], "personal", "Paused", active=False)
    gone = _focus(teachers[0], "personal", "Gone")
    teachers[0].delete("focus", gone)
    _focus(teachers[1], "personal", "Questioning")
    for n in range(2):
        _focus(lead, "school", f"School {n}")
    _focus(lead, "school", "Old school focus", active=False)
    with app.app_context():
        focuses = SchoolFocuses.of(school.id)
        people = [*teachers, lead]
        for phone in people:
            user_id = uuid.UUID(phone.user_id)
            reader = Reader(user_id, school.id, phone is lead)
            for week in range(1, 8):
                assert focuses.own(user_id, week) == own_focus(reader, week)
        chosen = {focuses.own(uuid.UUID(p.user_id), 1)[1] for p in teachers}  # type: ignore[index]
        assert not chosen & {"Paused", "Gone", "Elsewhere"}


def test_a_school_without_focuses_asks_the_plain_questions(factory, app):
    school = factory.school()
    teacher = SyncClient(factory.session(school))
    with app.app_context():
        user_id = uuid.UUID(teacher.user_id)
        assert SchoolFocuses.of(school.id).own(user_id, 3) is None
        assert own_focus(Reader(user_id, school.id, False), 3) is None
