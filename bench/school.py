"""What several benches set up alike: the app on a database (`bench_app`, `sqlite_app`), and the
school the sync benches measure (live, phases), written through sync push in process: a lead
and some teachers, observations shared with leads (written by their observee, the only one who
may share them) and their notes. A helper, not a bench (the runner lists its benches); it
imports the tests' helpers only where used, so a bench's child process stays as light as before."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any


def new_school(name: str, people: list[dict[str, Any]]) -> tuple[Any, list[Any]]:
    """A school row and its users (each a dict of User's fields: email, display_name, role,
    password_hash, ...), added to the app context's session and flushed; the caller commits."""
    from server.extensions import db
    from server.models import School, User

    school = School(name=name, change_counter=0)
    db.session.add(school)
    db.session.flush()
    users = [User(school_id=school.id, **person) for person in people]
    db.session.add_all(users)
    db.session.flush()
    return school, users


def bench_app(url: str, instance: Path, secret: str, migrate: bool = True, **config: Any) -> Any:
    """The app on `url` (migrated to the latest revision unless told not to), with the fast
    password profile."""
    from flask_migrate import upgrade

    from server import create_app

    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": secret,
            "PASSWORD_HASH_PROFILE": "fast",
            **config,
        }
    )
    if migrate:
        with app.app_context():
            upgrade()
    return app


def sqlite_app(database: Path, migrate: bool = False) -> Any:
    """The app on a SQLite file, its instance folder beside it."""
    return bench_app(f"sqlite:///{database}", database.parent, "bench-secret", migrate)


def push(session: Any, mutations: list[dict[str, Any]]) -> Any:
    """Push these mutations (numbered from the session's last seq); every one is applied."""
    seq = session.__dict__.setdefault("seq", 0)
    for offset, mutation in enumerate(mutations, start=1):
        mutation["seq"] = seq + offset
    session.seq = seq + len(mutations)
    body = {"client_id": session.client_id, "mutations": mutations}
    response = session.post("/api/v1/sync/push", json=body)
    assert response.status_code == 200, response.get_json()
    bad = [r for r in response.get_json()["results"] if r["status"] != "applied"]
    assert not bad, bad[:3]
    return response


def mutation(session: Any, entity: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A new record's put."""
    from tests.support.sync import hlc

    return {
        "entity": entity,
        "id": str(uuid.uuid4()),
        "op": "put",
        "base_version": 0,
        "hlc": hlc(session.client_id),
        "fields": fields,
    }


def observation_mutation(observer: Any, observee: Any, n: int) -> dict[str, Any]:
    """A peer observation shared with leads, put by its observee."""
    from tests.support.sync import iso

    fields = {
        "kind": "peer_observation",
        "title": f"Lesson {n}",
        "starts_at": iso(),
        "visibility": "leads",
        "participants": [
            {"user_id": observer.user["id"], "role": "observer"},
            {"user_id": observee.user["id"], "role": "observee"},
        ],
    }
    return mutation(observee, "observation", fields)


def note_mutation(session: Any, observation_id: str, k: int) -> dict[str, Any]:
    """The k-th note of an observation (its minute: k, within the hour)."""
    from tests.support.sync import iso

    fields = {
        "observation_id": observation_id,
        "at": iso(k % 60),
        "minute": k % 60,
        "category": "evidence",
        "text": "Pupils explained their method to a partner before sharing.",
    }
    return mutation(session, "note", fields)


def push_observation(observer: Any, observee: Any, n: int, notes: int) -> str:
    """An observation with its notes, in one push by the observee; its id."""
    observation = observation_mutation(observer, observee, n)
    written = [note_mutation(observee, observation["id"], k) for k in range(notes)]
    push(observee, [observation, *written])
    return str(observation["id"])


def school(app: Any, teachers: int, observations: int, notes: int) -> dict[str, Any]:
    """A school of a lead and `teachers` teachers; observation n pairs teacher n with the next."""
    from tests.support.factories import Factory

    client = app.test_client()
    factory = Factory(app, client)
    place = factory.school()
    lead = factory.login(factory.user(place, role="lead", name="Lead"))
    staff = [factory.login(factory.user(place, name=f"T {n}")) for n in range(teachers)]
    for n in range(observations):
        push_observation(staff[n % teachers], staff[(n + 1) % teachers], n, notes)
    return {"app": app, "client": client, "school": place, "lead": lead, "teachers": staff}
