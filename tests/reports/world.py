"""A small school written through the sync push API, for the report tests.

Hillside Primary: Ana and Ben (Maths), Chloe (English), Dev (Science), Lena (lead), Adam
(admin); Sam leads another school. One focus with three look-fors, an observation Ben shared
with leads, one he did not, an older one, eight learning walks by Lena (slices of 4, 3 and 2
visits by team) and next steps of every kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tests.support.factories import Factory, Session
from tests.support.sync import SyncClient, new_id

SCHOOL = "Hillside Primary"
PEOPLE = {
    "ana": ("Ana Silva", "teacher"),
    "ben": ("Ben Okafor", "teacher"),
    "chloe": ("Chloe Martin", "teacher"),
    "dev": ("Dev Patel", "teacher"),
    "lead": ("Lena Morris", "lead"),
    "admin": ("Adam Price", "admin"),
}
TEAMS = {"ana": "Maths", "ben": "Maths", "chloe": "English", "dev": "Science"}
NAMES = [name for name, _ in PEOPLE.values()]
PERIOD = {"from": "2026-09-01", "to": "2026-11-30"}

SHARED_NOTES = [  # (who, minute, category, text) in the order they were written
    ("ana", 2, "evidence", "Pupils paired up quickly and started on the whiteboards."),
    ("ben", 5, "evidence", "I tried four seconds of wait time after the hinge question."),
    ("ana", 9, "strength", "Calm start with clear routines."),
    ("ben", 12, "wondering", "What if I cold-call sooner in the plenary?"),
    ("ana", 15, "pupils", "Two pupils explained their method to the class."),
]


def at(day: int, hour: int = 9, minute: int = 0, month: int = 11) -> str:
    """A moment in 2026 (UTC)."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC).isoformat()


@dataclass
class World:
    clients: dict[str, SyncClient]
    ids: dict[str, str] = field(default_factory=dict)

    def session(self, who: str) -> Session:
        return self.clients[who].session

    def user_id(self, who: str) -> str:
        return self.clients[who].user_id

    def get(self, who: str, url: str, **kwargs: Any) -> Any:
        return self.session(who).get(url, **kwargs)


def build(factory: Factory) -> World:
    """The whole school (see the module docstring)."""
    school = factory.school(SCHOOL)
    clients = {
        key: SyncClient(factory.session(school, role=role, name=name))
        for key, (name, role) in PEOPLE.items()
    }
    clients["stranger"] = SyncClient(
        factory.session(factory.school("Faraway School"), role="lead", name="Sam Stranger")
    )
    world = World(clients)
    _teams(factory, school, world)
    _focuses(world)
    _observations(world)
    _walks(world)
    _next_steps(world)
    return world


def _teams(factory: Factory, school: Any, world: World) -> None:
    teams = {name: factory.team(school, name) for name in sorted(set(TEAMS.values()))}
    for who, team in TEAMS.items():
        response = world.session("admin").patch(
            f"/api/v1/admin/users/{world.user_id(who)}", json={"team_ids": [str(teams[team].id)]}
        )
        assert response.status_code == 200, response.get_json()


def _ok(result: dict[str, Any]) -> None:
    assert result["status"] in ("applied", "merged"), result


def _focuses(world: World) -> None:
    lead = world.clients["lead"]
    ids = world.ids
    ids["focus"], ids["focus2"] = new_id(), new_id()
    _ok(
        lead.put(
            "focus",
            ids["focus"],
            {
                "title": "Questioning that makes every pupil think",
                "description": "Every pupil thinks before anyone answers.",
                "kind": "school",
            },
        )
    )
    _ok(lead.put("focus", ids["focus2"], {"title": "Feedback pupils act on", "kind": "school"}))
    for key, text in (
        ("wait", "Wait time of three seconds"),
        ("hands", "No hands up"),
        ("probe", "Probing follow-up questions"),
    ):
        ids[key] = new_id()
        _ok(lead.put("lookfor", ids[key], {"focus_id": ids["focus"], "text": text}))


def observation(
    world: World, key: str, creator: str, observee: str, title: str, starts_at: str, **extra: Any
) -> str:
    """An observation `creator` makes of `observee`'s lesson, on the first focus."""
    world.ids[key] = new_id()
    fields = {
        "kind": "peer_observation",
        "title": title,
        "starts_at": starts_at,
        "participants": [
            {"user_id": world.user_id(creator), "role": "observer"},
            {"user_id": world.user_id(observee), "role": "observee"},
        ],
        "focus_ids": [world.ids["focus"]],
        **extra,
    }
    _ok(world.clients[creator].put("observation", world.ids[key], fields))
    return world.ids[key]


def note(
    world: World,
    who: str,
    observation_id: str,
    starts_at: str,
    minute: int,
    category: str,
    text: str,
    **extra: Any,
) -> str:
    note_id = new_id()
    moment = dt.datetime.fromisoformat(starts_at) + dt.timedelta(minutes=minute)
    fields = {
        "observation_id": observation_id,
        "at": moment.isoformat(),
        "category": category,
        "text": text,
        **extra,
    }
    if minute >= 0:  # a prediction is written before the lesson: no lesson minute
        fields["minute"] = minute
    _ok(world.clients[who].put("note", note_id, fields))
    return note_id


def share(world: World, who: str, observation_id: str) -> None:
    _ok(world.clients[who].put("observation", observation_id, {"visibility": "leads"}, base=10**6))


def _observations(world: World) -> None:
    start = at(10)
    shared = observation(
        world,
        "shared",
        "ana",
        "ben",
        "Shared fractions lesson",
        start,
        class_label="8B",
        subject="Maths",
        strengths="Clear modelling. Calm start with clear routines.",
    )
    for who, minute, category, text in reversed(SHARED_NOTES):  # pushed out of order on purpose
        note(world, who, shared, start, minute, category, text)
    _ok(
        world.clients["ben"].put(
            "observation",
            shared,
            {"reflection": "Wait time helped the quieter pupils."},
            base=10**6,
        )
    )
    share(world, "ben", shared)
    private_start = at(12)
    private = observation(
        world,
        "private",
        "chloe",
        "ben",
        "Private rehearsal lesson",
        private_start,
        strengths="PRIVATE-STRENGTH of the rehearsal.",
    )
    note(world, "chloe", private, private_start, 4, "strength", "PRIVATE-NOTE about rehearsal")
    old_start = at(15, month=6)
    old = observation(world, "old", "ana", "ben", "Old summer lesson", old_start)
    share(world, "ben", old)


def _walk(
    world: World, key: str, day: int, visited: str | None, visits: list[dict[str, Any]]
) -> str:
    """A learning walk by Lena on the first focus; each visit: ratings and notes."""
    ids = world.ids
    ids[key] = new_id()
    participants = [{"user_id": world.user_id("lead"), "role": "observer"}]
    if visited:
        participants.append({"user_id": world.user_id(visited), "role": "observee"})
    start = at(day, 10)
    _ok(
        world.clients["lead"].put(
            "observation",
            ids[key],
            {
                "kind": "learning_walk",
                "title": f"Walk {key}",
                "starts_at": start,
                "participants": participants,
                "focus_ids": [ids["focus"]],
            },
        )
    )
    for number, visit in enumerate(visits, start=1):
        tags = [f"visit-{number}"] if len(visits) > 1 else []
        for look, rating in visit.get("ratings", {}).items():
            note(
                world,
                "lead",
                ids[key],
                start,
                8 * number,
                "lookfor",
                "",
                lookfor_id=ids[look],
                lookfor_rating=rating,
                tags=tags,
            )
        for category, text in visit.get("notes", []):
            note(world, "lead", ids[key], start, 8 * number, category, text, tags=tags)
    return ids[key]


MATHS_NOTE = "Ben Okafor's class used mini whiteboards for every answer."
RARE_NOTE = "RARE-WONDERING seen in only two visits"


def _walks(world: World) -> None:
    for day in range(16, 20):  # Maths: 4 visits
        _walk(
            world,
            f"maths{day}",
            day,
            "ben",
            [{"ratings": {"wait": "seen", "hands": "partly"}, "notes": [("evidence", MATHS_NOTE)]}],
        )
    share(world, "ben", world.ids["maths16"])
    for day in range(16, 19):  # Science: 3 visits
        _walk(
            world, f"science{day}", day, "dev", [{"ratings": {"wait": "not_seen", "hands": "seen"}}]
        )
    _walk(
        world,
        "english",
        20,
        "chloe",
        [  # English: one walk, 2 visits
            {
                "ratings": {"wait": "partly", "hands": "seen", "probe": "seen"},
                "notes": [("wondering", RARE_NOTE)],
            },
            {
                "ratings": {"wait": "seen", "hands": "seen", "probe": "partly"},
                "notes": [("wondering", RARE_NOTE)],
            },
        ],
    )


def step(world: World, key: str, who: str, text: str, **extra: Any) -> None:
    world.ids[key] = new_id()
    fields = {"owner_id": world.user_id(extra.pop("owner", who)), "text": text, **extra}
    _ok(world.clients[who].put("next_step", world.ids[key], fields))


def _next_steps(world: World) -> None:
    ids = world.ids
    step(
        world,
        "ben_step",
        "ben",
        "Try a hinge question before the task.",
        observation_id=ids["shared"],
        due_on="2026-11-25",
        focus_id=ids["focus"],
    )
    step(
        world,
        "private_step",
        "ben",
        "PRIVATE-STEP rehearse again.",
        observation_id=ids["private"],
        due_on="2026-11-26",
        focus_id=ids["focus"],
    )
    step(
        world,
        "lead_step",
        "lead",
        "Plan a staff meeting on wait time.",
        due_on="2026-11-20",
        focus_id=ids["focus"],
        status="done",
    )
    step(
        world,
        "ana_step",
        "ana",
        "ANA-OWN-STEP read about questioning.",
        due_on="2026-11-21",
        focus_id=ids["focus"],
    )
