"""A believable demo school, written through the push service as its teachers would.

Riverside Academy: 12 staff in three professional learning teams, three school focuses with
look-fors, about 30 observations of every kind spread over the autumn term, with notes,
reflections and agreed next steps. Every record goes through `server.sync.push`, so the demo has
real versions and merge metadata.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from server import policy
from server.accounts.passwords import hash_password
from server.demo.data import (
    CASE_PUPIL_DID,
    CLASSES,
    EVIDENCE,
    FOCUS_QUESTIONS,
    FOCUSES,
    LEADS,
    LEARNING_INTENTION,
    NEXT_STEPS,
    PLAN,
    PREDICTIONS,
    PUPILS,
    REFLECTIONS,
    ROLES_BY_KIND,
    STAFF,
    STRENGTHS,
    SUBJECTS,
    WONDERINGS,
)
from server.demo.walks import write_visit
from server.extensions import db
from server.models import Device, School, Team, User, utcnow
from server.sync import push
from server.sync.codecs import CODECS

SCHOOL_NAME = "Riverside Academy"
DEMO_PASSWORD = "riverside-demo"
EMAIL_DOMAIN = "riverside.example"


@dataclass
class Writer:
    """One demo user writing through the push service, with their own seq."""

    user: User
    device: Device
    seq: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)

    def put(
        self,
        entity: str,
        record_id: str,
        fields: dict[str, Any],
        at: dt.datetime,
        *,
        seen: bool = False,
    ) -> None:
        """Queue a put; `seen` means the writer has pulled the record's latest version first."""
        base = _current_version(entity, record_id) if seen else 0
        self.seq += 1
        stamp = f"{int(at.timestamp() * 1000):015d}:0000:{self.device.id}"
        self.pending.append(
            {
                "seq": self.seq,
                "entity": entity,
                "id": record_id,
                "op": "put",
                "base_version": base,
                "hlc": stamp,
                "fields": fields,
            }
        )

    def send(self) -> None:
        if not self.pending:
            return
        body = {"client_id": self.device.id, "mutations": self.pending}
        result = push.push(self.user, self.device, body)
        bad = [r for r in result["results"] if r["status"] not in ("applied", "merged")]
        if bad:
            raise RuntimeError(f"demo data was refused: {bad[:3]}")
        self.pending = []


def _current_version(entity: str, record_id: str) -> int:
    table = CODECS[entity].table
    version = db.session.execute(
        select(table.c.version).where(table.c.id == uuid.UUID(record_id))
    ).scalar()
    db.session.commit()
    return int(version or 0)


def demo_school() -> School | None:
    """The demo school, if it was loaded."""
    return db.session.execute(select(School).where(School.name == SCHOOL_NAME)).scalar_one_or_none()


def logins() -> list[tuple[str, str, str]]:
    """(email, role, display name) of the demo staff."""
    return [(_email(name), role, name) for name, role, _ in STAFF]


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@" + EMAIL_DOMAIN


def load_demo(hash_profile: str = "production", seed: int = 2026) -> School:
    """Create Riverside Academy and a term of observations."""
    rng = random.Random(seed)
    school = School(name=SCHOOL_NAME, change_counter=0)
    db.session.add(school)
    db.session.flush()
    teams = {
        name: Team(school_id=school.id, name=name, kind="plt", version=0)
        for name in ("Maths", "English", "Science")
    }
    db.session.add_all(teams.values())
    password_hash = hash_password(DEMO_PASSWORD, hash_profile)
    writers: dict[str, Writer] = {}
    for index, (name, role, team) in enumerate(STAFF, start=1):
        user = User(
            school_id=school.id,
            email=_email(name),
            display_name=name,
            role=role,
            password_hash=password_hash,
            version=index,
        )
        user.teams = [teams[team]] if team else []
        device = Device(
            user=user,
            name="demo data",
            token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
            revoked_at=utcnow(),
        )
        db.session.add_all([user, device])
        writers[name] = Writer(user, device)
    for offset, each in enumerate(teams.values(), start=len(STAFF) + 1):
        each.version = offset
    school.change_counter = len(STAFF) + len(teams)
    db.session.commit()
    _fill_term(writers, teams, rng)
    return school


def _fill_term(writers: dict[str, Writer], teams: dict[str, Team], rng: random.Random) -> None:
    term_start = dt.datetime(2026, 9, 7, 9, 0, tzinfo=dt.UTC)
    lead = writers["Tom Reilly"]
    focus_ids, lookfors = _focuses(lead, term_start - dt.timedelta(days=3))
    teachers = [w for name, w in writers.items() if not policy.role_is_lead(w.user.role)]
    for number, kind in enumerate(PLAN):
        day = term_start + dt.timedelta(days=int(number * 75 / len(PLAN)) + rng.randint(0, 2))
        starts = day.replace(hour=rng.choice([9, 10, 11, 13, 14]))
        if kind == "learning_walk":
            walker = writers[rng.choice(LEADS)]
            _learning_walk(walker, starts, focus_ids, lookfors, rng, teams)
        else:
            _observation(kind, teachers, writers, starts, focus_ids, rng, number)
    for writer in writers.values():
        writer.send()


def _focuses(lead: Writer, at: dt.datetime) -> tuple[list[str], dict[str, list[str]]]:
    focus_ids: list[str] = []
    lookfors: dict[str, list[str]] = {}
    for title, description, looks in FOCUSES:
        focus_id = str(uuid.uuid4())
        lead.put(
            "focus", focus_id, {"title": title, "description": description, "kind": "school"}, at
        )
        focus_ids.append(focus_id)
        lookfors[focus_id] = []
        for text in looks:
            lookfor_id = str(uuid.uuid4())
            lead.put("lookfor", lookfor_id, {"focus_id": focus_id, "text": text}, at)
            lookfors[focus_id].append(lookfor_id)
    lead.send()
    return focus_ids, lookfors


def _observation(
    kind: str,
    teachers: list[Writer],
    writers: dict[str, Writer],
    starts: dt.datetime,
    focus_ids: list[str],
    rng: random.Random,
    number: int,
) -> None:
    people = _people(kind, teachers, writers, rng)
    observer, observee = people[0], people[1]
    observation_id = str(uuid.uuid4())
    focus_id = focus_ids[number % len(focus_ids)]
    status = (
        "reviewed"
        if starts < dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        else rng.choice(["captured", "draft"])
    )
    fields = _observation_fields(kind, people, starts, number, rng)
    fields.update(focus_ids=[focus_id], status=status)
    observer.put("observation", observation_id, fields, starts - dt.timedelta(days=2))
    observer.send()
    for writer in people:
        _notes(writer, observation_id, starts, kind, rng)
        writer.send()
    if status == "reviewed":
        _review(observer, observee, observation_id, starts, focus_id, rng)


def _people(
    kind: str, teachers: list[Writer], writers: dict[str, Writer], rng: random.Random
) -> list[Writer]:
    """Observer (or coach) first, then the observed teacher, then a lesson study's third."""
    observee, observer = rng.sample(teachers, 2)
    if kind == "coaching":
        observer = writers[rng.choice(LEADS)]
    people = [observer, observee]
    if kind == "lesson_study":
        people.append(rng.choice([t for t in teachers if t not in people]))
    return people


def _observation_fields(
    kind: str, people: list[Writer], starts: dt.datetime, number: int, rng: random.Random
) -> dict[str, Any]:
    roles = [*ROLES_BY_KIND[kind], "observer"]
    observee = people[1]
    team = observee.user.teams[0].name if observee.user.teams else "Maths"
    label = CLASSES[number % len(CLASSES)]
    return {
        "kind": kind,
        "title": f"{SUBJECTS[team][0]} with {label}",
        "starts_at": starts.isoformat(),
        "class_label": label,
        "subject": rng.choice(SUBJECTS[team]),
        "year_group": "Year " + label[:-1],
        "participants": [
            {"user_id": str(w.user.id), "role": role}
            for w, role in zip(people, roles, strict=False)
        ],
        "focus_question": rng.choice(FOCUS_QUESTIONS),
        "learning_intention": LEARNING_INTENTION,
        "case_pupils": ["A", "B", "C"] if kind == "lesson_study" else [],
    }


def _notes(
    writer: Writer, observation_id: str, starts: dt.datetime, kind: str, rng: random.Random
) -> None:
    minute = rng.randint(0, 4)
    for _ in range(rng.randint(4, 8)):
        minute += rng.randint(2, 8)
        category = rng.choice(["evidence", "evidence", "pupils", "strength", "wondering"])
        text = rng.choice(
            {
                "evidence": EVIDENCE,
                "pupils": PUPILS,
                "strength": STRENGTHS,
                "wondering": WONDERINGS,
            }[category]
        )
        fields: dict[str, Any] = {
            "observation_id": observation_id,
            "at": (starts + dt.timedelta(minutes=minute)).isoformat(),
            "minute": minute,
            "category": category,
            "text": text,
        }
        if kind == "lesson_study" and rng.random() < 0.5:
            index = rng.randrange(3)
            fields.update(category="pupils", text=CASE_PUPIL_DID[index], case_pupil="ABC"[index])
        writer.put("note", str(uuid.uuid4()), fields, starts + dt.timedelta(minutes=minute))
    if kind == "lesson_study":
        for index, text in enumerate(PREDICTIONS):
            writer.put(
                "note",
                str(uuid.uuid4()),
                {
                    "observation_id": observation_id,
                    "at": (starts - dt.timedelta(days=1)).isoformat(),
                    "category": "prediction",
                    "text": text,
                    "case_pupil": "ABC"[index],
                },
                starts - dt.timedelta(days=1),
            )


def _review(
    observer: Writer,
    observee: Writer,
    observation_id: str,
    starts: dt.datetime,
    focus_id: str,
    rng: random.Random,
) -> None:
    after = starts + dt.timedelta(days=1, hours=6)
    observer.put(
        "observation",
        observation_id,
        {"strengths": " ".join(rng.sample(STRENGTHS, 2)), "wonderings": rng.choice(WONDERINGS)},
        after,
        seen=True,
    )
    observer.send()
    shared = rng.random() < 0.6
    observee.put(
        "observation",
        observation_id,
        {
            "reflection": rng.choice(REFLECTIONS),
            "visibility": "leads" if shared else "participants",
        },
        after + dt.timedelta(hours=2),
        seen=True,
    )
    _agree_next_step(observee, observation_id, after, focus_id, rng)
    observee.send()


def _agree_next_step(
    owner: Writer, observation_id: str, after: dt.datetime, focus_id: str, rng: random.Random
) -> None:
    done = after + dt.timedelta(days=14) < dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    owner.put(
        "next_step",
        str(uuid.uuid4()),
        {
            "observation_id": observation_id,
            "owner_id": str(owner.user.id),
            "text": rng.choice(NEXT_STEPS),
            "due_on": (after + dt.timedelta(days=21)).date().isoformat(),
            "status": "done" if done and rng.random() < 0.6 else "open",
            "focus_id": focus_id,
        },
        after + dt.timedelta(hours=2),
    )


def _learning_walk(
    lead: Writer,
    starts: dt.datetime,
    focus_ids: list[str],
    lookfors: dict[str, list[str]],
    rng: random.Random,
    teams: dict[str, Team],
) -> None:
    focus_id = rng.choice(focus_ids)
    observation_id = str(uuid.uuid4())
    lead.put(
        "observation",
        observation_id,
        {
            "kind": "learning_walk",
            "title": f"Learning walk: {FOCUSES[focus_ids.index(focus_id)][0].lower()}",
            "starts_at": starts.isoformat(),
            "focus_ids": [focus_id],
            "status": "captured",
            "participants": [{"user_id": str(lead.user.id), "role": "observer"}],
            "visibility": "leads",
        },
        starts,
    )
    for visit in range(rng.randint(4, 7)):
        write_visit(lead, observation_id, starts, visit, lookfors[focus_id], rng, teams)
    lead.send()
