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

from server.accounts.passwords import hash_password
from server.extensions import db
from server.models import Device, School, Team, User, utcnow
from server.sync import push

SCHOOL_NAME = "Riverside Academy"
DEMO_PASSWORD = "riverside-demo"
EMAIL_DOMAIN = "riverside.example"

STAFF = [
    # (display name, role, team)
    ("Priya Shah", "admin", None),
    ("Tom Reilly", "lead", "Maths"),
    ("Aisha Bello", "lead", "English"),
    ("Ana Silva", "teacher", "Maths"),
    ("Ben Okafor", "teacher", "Maths"),
    ("Chloe Martin", "teacher", "Maths"),
    ("Daniel Kim", "teacher", "English"),
    ("Ella Hughes", "teacher", "English"),
    ("Farid Haddad", "teacher", "Science"),
    ("Grace Liu", "teacher", "Science"),
    ("Hamza Ali", "teacher", "Science"),
    ("Isla Murray", "teacher", "English"),
]

FOCUSES = [
    (
        "Questioning that makes every pupil think",
        "Questions that every pupil answers in their head, with time to think"
        " and follow-up that probes.",
        [
            "Wait time of three seconds or more after a question",
            "No-hands-up questioning reaches most pupils",
            "Follow-up probes: 'How do you know?', 'Can you add to that?'",
        ],
    ),
    (
        "Feedback pupils act on",
        "Feedback that moves learning forward in the lesson, not only in books.",
        [
            "Success criteria are visible and referred to",
            "Pupils act on feedback during the lesson",
            "Live marking or verbal feedback at the point of need",
        ],
    ),
    (
        "Structured talk (oracy)",
        "Talk that is taught: partners, sentence stems and building on each other's ideas.",
        [
            "Talk partners use sentence stems",
            "Pupils build on each other's ideas",
            "The teacher models subject vocabulary",
        ],
    ),
]

SUBJECTS = {"Maths": ["Maths"], "English": ["English", "Reading"], "Science": ["Science"]}
CLASSES = ["7R", "7S", "8R", "8T", "9S", "9R", "10X", "10Y"]

EVIDENCE = [
    "Teacher asked 'What do you notice?' and waited before taking answers.",
    "Starter on mini whiteboards: every pupil showed an answer within a minute.",
    "Teacher circulated and stopped the class to share a common misconception.",
    "Success criteria on the board were referred to twice during the task.",
    "Cold-called three pupils in a row, each built on the previous answer.",
    "Modelled the first example aloud, thinking through each step.",
    "Pupils moved into talk partners quickly; the routine is well established.",
    "Exit ticket with two questions checked understanding of today's idea.",
    "Key vocabulary ('gradient', 'intercept') displayed and used by the teacher.",
    "Teacher used 'Can you say more?' to extend a short answer.",
]
PUPILS = [
    "Most pupils started the task within a minute, without asking for help.",
    "Pupils at the back table compared methods and corrected each other.",
    "Several pupils used the sentence stem 'I agree with … because …'.",
    "A pupil explained her method to the class using the visualiser.",
    "Two pupils were unsure of the first step and waited for help.",
    "Pupils self-assessed against the criteria and added a next step.",
    "Pupils rehearsed their answer with a partner before sharing.",
]
STRENGTHS = [
    "Calm, purposeful start: routines are clearly understood.",
    "Questions were pitched so that everyone could have a go.",
    "Feedback was immediate and pupils acted on it straight away.",
    "Excellent modelling of subject vocabulary.",
    "Warm relationships: pupils were happy to share wrong answers.",
]
WONDERINGS = [
    "What would happen if the wait time after questions were a little longer?",
    "Could the hinge question come earlier, to decide who needs the extension task?",
    "How might pupils use the success criteria to check each other's work?",
    "Would sentence stems help the quieter pupils join the discussion?",
    "What if pupils wrote a first answer before talking to a partner?",
]
NEXT_STEPS = [
    "Try a hinge question before the independent task and adapt from the answers.",
    "Build in three seconds of wait time after every key question.",
    "Add sentence stems to the talk-partner routine for a fortnight.",
    "Plan two probing follow-up questions for each key question.",
    "Use success criteria for peer feedback in the last ten minutes.",
    "Visit a colleague's lesson to see mini-whiteboard routines.",
]
REFLECTIONS = [
    "Really useful to hear what the pupils were saying at the back table; I did not notice that.",
    "I want to keep working on wait time: I can see I answer my own questions.",
    "The talk routine is working; next I want the quieter pupils to lead the feedback.",
    "Good to see the success criteria being used. I will try peer feedback next week.",
]
PREDICTIONS = [
    "Pupil A will start with the concrete resources before drawing a diagram.",
    "Pupil B will spot the pattern but will struggle to explain it.",
    "Pupil C will need the sentence stem to join the discussion.",
]
CASE_PUPIL_DID = [
    "Pupil A went straight to a diagram and skipped the resources.",
    "Pupil B explained the pattern clearly to a partner.",
    "Pupil C used the stem once and then spoke without it.",
]


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
    from server.sync.codecs import CODECS

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
    teachers = [w for name, w in writers.items() if w.user.role == "teacher"]
    plan = (
        ["peer_observation"] * 10
        + ["team_teaching"] * 5
        + ["lesson_study"] * 3
        + ["learning_walk"] * 8
        + ["coaching"] * 4
    )
    for number, kind in enumerate(plan):
        day = term_start + dt.timedelta(days=int(number * 75 / len(plan)) + rng.randint(0, 2))
        starts = day.replace(hour=rng.choice([9, 10, 11, 13, 14]))
        if kind == "learning_walk":
            _learning_walk(
                writers[rng.choice(["Tom Reilly", "Aisha Bello"])],
                teachers,
                starts,
                focus_ids,
                lookfors,
                rng,
            )
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
    observee, observer = rng.sample(teachers, 2)
    if kind == "coaching":
        observer = writers[rng.choice(["Tom Reilly", "Aisha Bello"])]
    team = observee.user.teams[0].name if observee.user.teams else "Maths"
    roles = {
        "peer_observation": ("observer", "observee"),
        "team_teaching": ("co_teacher", "co_teacher"),
        "lesson_study": ("observer", "observee"),
        "coaching": ("facilitator", "observee"),
    }[kind]
    participants = [
        {"user_id": str(observer.user.id), "role": roles[0]},
        {"user_id": str(observee.user.id), "role": roles[1]},
    ]
    people = [observer, observee]
    if kind == "lesson_study":
        third = rng.choice([t for t in teachers if t not in people])
        participants.append({"user_id": str(third.user.id), "role": "observer"})
        people.append(third)
    observation_id = str(uuid.uuid4())
    focus_id = focus_ids[number % len(focus_ids)]
    status = (
        "reviewed"
        if starts < dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        else rng.choice(["captured", "draft"])
    )
    fields = {
        "kind": kind,
        "title": f"{SUBJECTS[team][0]} with {CLASSES[number % len(CLASSES)]}",
        "starts_at": starts.isoformat(),
        "class_label": CLASSES[number % len(CLASSES)],
        "subject": rng.choice(SUBJECTS[team]),
        "year_group": "Year " + CLASSES[number % len(CLASSES)][:-1],
        "focus_ids": [focus_id],
        "participants": participants,
        "status": status,
        "focus_question": rng.choice(
            [
                "How can I get every pupil thinking during questioning?",
                "Do my pupils use feedback to improve their work in the lesson?",
                "How well do pupils build on each other's ideas in discussion?",
            ]
        ),
        "learning_intention": "To explain and compare methods using the correct vocabulary.",
        "case_pupils": ["A", "B", "C"] if kind == "lesson_study" else [],
    }
    observer.put("observation", observation_id, fields, starts - dt.timedelta(days=2))
    observer.send()
    for writer in people:
        _notes(writer, observation_id, starts, kind, rng)
        writer.send()
    if status == "reviewed":
        _review(observer, observee, observation_id, starts, focus_id, rng)


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
    done = after + dt.timedelta(days=14) < dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    observee.put(
        "next_step",
        str(uuid.uuid4()),
        {
            "observation_id": observation_id,
            "owner_id": str(observee.user.id),
            "text": rng.choice(NEXT_STEPS),
            "due_on": (after + dt.timedelta(days=21)).date().isoformat(),
            "status": "done" if done and rng.random() < 0.6 else "open",
            "focus_id": focus_id,
        },
        after + dt.timedelta(hours=2),
    )
    observee.send()


def _learning_walk(
    lead: Writer,
    teachers: list[Writer],
    starts: dt.datetime,
    focus_ids: list[str],
    lookfors: dict[str, list[str]],
    rng: random.Random,
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
        at = starts + dt.timedelta(minutes=8 * visit)
        for lookfor_id in lookfors[focus_id]:
            rating = rng.choices(["seen", "partly", "not_seen"], weights=[5, 3, 2])[0]
            lead.put(
                "note",
                str(uuid.uuid4()),
                {
                    "observation_id": observation_id,
                    "at": at.isoformat(),
                    "minute": 8 * visit,
                    "category": "lookfor",
                    "text": "",
                    "lookfor_id": lookfor_id,
                    "lookfor_rating": rating,
                    "tags": [f"visit-{visit + 1}"],
                },
                at,
            )
        lead.put(
            "note",
            str(uuid.uuid4()),
            {
                "observation_id": observation_id,
                "at": at.isoformat(),
                "minute": 8 * visit,
                "category": "evidence",
                "text": rng.choice(EVIDENCE + PUPILS),
                "tags": [f"visit-{visit + 1}"],
            },
            at,
        )
    lead.send()
