"""The demo school's learning walks, classroom by classroom (README: leads).

Each classroom is a `visit` (when, class, year group, subject and the team it belongs to),
with a rating per look-for and one note of what the lead saw, each naming the visit. The
classes and teams follow from the walk's day and the visit's number, so the demo's random
sequence (and everything else it writes) is unchanged.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import TYPE_CHECKING, Any

from schemas.records import LOOKFOR_RATINGS
from server.demo.data import CLASSES, EVIDENCE, PUPILS, SUBJECTS

if TYPE_CHECKING:
    from server.demo import Writer


def write_visit(
    lead: Writer,
    observation_id: str,
    starts: dt.datetime,
    visit: int,
    lookfor_ids: list[str],
    rng: random.Random,
    teams: dict[str, Any],
) -> None:
    """One classroom of a walk: the visit, a rating per look-for, one note of what was seen."""
    at = starts + dt.timedelta(minutes=8 * visit)
    visit_id = str(uuid.uuid4())
    lead.put("visit", visit_id, _visit_fields(observation_id, at, visit, teams), at)
    common = {
        "observation_id": observation_id,
        "at": at.isoformat(),
        "minute": 8 * visit,
        "visit_id": visit_id,
    }
    for lookfor_id in lookfor_ids:
        rating = rng.choices(LOOKFOR_RATINGS, weights=[5, 3, 2])[0]
        fields = {"category": "lookfor", "text": "", "lookfor_id": lookfor_id}
        lead.put("note", str(uuid.uuid4()), {**common, **fields, "lookfor_rating": rating}, at)
    text = rng.choice(EVIDENCE + PUPILS)
    lead.put("note", str(uuid.uuid4()), {**common, "category": "evidence", "text": text}, at)


def _visit_fields(
    observation_id: str, at: dt.datetime, visit: int, teams: dict[str, Any]
) -> dict[str, Any]:
    """Class, year group, subject and team of the visit's classroom (from its day and number)."""
    class_label = CLASSES[(visit * 3 + at.day) % len(CLASSES)]
    team = sorted(teams)[(visit + at.day) % len(teams)]
    return {
        "observation_id": observation_id,
        "at": at.isoformat(),
        "class_label": class_label,
        "year_group": f"Year {class_label[:-1]}",
        "subject": SUBJECTS[team][0],
        "team_id": str(teams[team].id),
    }
