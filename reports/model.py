"""The plain data a report is built from: what `server.reports.service` reads for a reader.

Everything here is already filtered by the read rules and already in the school's local time;
the builders only shape and print it. Names are display names, never ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from schemas.records import NOTE_CATEGORY_LABELS

KIND_LABELS = {
    "peer_observation": "Peer observation",
    "team_teaching": "Team teaching",
    "lesson_study": "Lesson study",
    "learning_walk": "Learning walk",
    "coaching": "Coaching",
}
ROLE_LABELS = {
    "observer": "Observer",
    "observee": "Observed teacher",
    "co_teacher": "Co-teacher",
    "facilitator": "Coach",
}
# The app's names, from the one list (schemas.records; the PWA's copy: pwa/js/model.js).
CATEGORY_LABELS = NOTE_CATEGORY_LABELS
RATING_LABELS = {"seen": "Seen", "partly": "Partly", "not_seen": "Not seen"}
STATUS_LABELS = {"draft": "Draft", "captured": "Captured", "reviewed": "Reviewed"}


@dataclass(frozen=True)
class Meta:
    """What every report prints in its header and footer."""

    school: str
    generated_at: dt.datetime


@dataclass(frozen=True)
class Period:
    """An inclusive range of days in the school's time zone."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Conflict:
    """A value kept beside the current one after two people changed a field at once."""

    field: str
    current: str
    other: str
    other_author: str


@dataclass(frozen=True)
class Participant:
    name: str
    role: str


@dataclass(frozen=True)
class NoteItem:
    at: dt.datetime
    minute: int | None
    author: str
    category: str
    text: str
    tags: tuple[str, ...] = ()
    case_pupil: str = ""
    lookfor: str = ""
    rating: str | None = None
    conflicts: tuple[Conflict, ...] = ()
    visit_id: str = ""  # a learning walk's visit (README: leads)


@dataclass(frozen=True)
class VisitItem:
    """One classroom of a learning walk, as the walk's summary prints it."""

    id: str
    at: dt.datetime
    class_label: str = ""
    year_group: str = ""
    subject: str = ""
    team: str = ""


@dataclass(frozen=True)
class StepItem:
    text: str
    owner: str
    status: str
    due_on: dt.date | None = None
    focus: str = ""
    source: str = ""


@dataclass(frozen=True)
class PhotoItem:
    """A photo of pupils' work (issue 16): its bytes as stored, checked when uploaded."""

    content_type: str
    data: bytes
    caption: str
    author: str
    width: int
    height: int


@dataclass(frozen=True)
class ObservationData:
    """One observation as its reader may see it."""

    title: str
    kind: str
    starts_at: dt.datetime
    status: str
    shared_with_leads: bool
    class_label: str = ""
    subject: str = ""
    year_group: str = ""
    participants: tuple[Participant, ...] = ()
    focuses: tuple[str, ...] = ()
    focus_question: str = ""
    learning_intention: str = ""
    strengths: str = ""
    wonderings: str = ""
    reflection: str = ""
    case_pupils: tuple[str, ...] = ()
    notes: tuple[NoteItem, ...] = ()
    next_steps: tuple[StepItem, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    photos: tuple[PhotoItem, ...] = ()
    visits: tuple[VisitItem, ...] = ()  # a learning walk's classrooms, in time order


@dataclass(frozen=True)
class Quote:
    """A piece of text with where it came from, for themes."""

    text: str
    at: dt.datetime
    group: str = ""


@dataclass(frozen=True)
class RecordEntry:
    """One observation in a teacher's record, from the teacher's side."""

    starts_at: dt.datetime
    kind: str
    title: str
    role: str
    others: tuple[str, ...]
    focuses: tuple[str, ...]
    shared_with_leads: bool
    class_label: str = ""
    subject: str = ""


@dataclass(frozen=True)
class FocusUse:
    title: str
    kind: str
    description: str
    observations: int


@dataclass(frozen=True)
class TeacherData:
    """A teacher's professional learning record for a period."""

    teacher: str
    teams: tuple[str, ...]
    period: Period
    lead_copy: bool
    today: dt.date
    entries: tuple[RecordEntry, ...] = ()
    focuses: tuple[FocusUse, ...] = ()
    strengths: tuple[Quote, ...] = ()
    wonderings: tuple[Quote, ...] = ()
    reflections: tuple[Quote, ...] = ()
    next_steps: tuple[StepItem, ...] = ()


@dataclass(frozen=True)
class Walk:
    """A learning walk: when, and the teams of the classrooms it visited (never who)."""

    id: str
    day: dt.date
    teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tick:
    """One look-for rating written during a walk."""

    walk_id: str
    lookfor_id: str
    rating: str
    at: dt.datetime
    minute: int | None = None
    tags: tuple[str, ...] = ()
    visit_id: str = ""


@dataclass(frozen=True)
class WalkNote:
    """A written note from a walk (evidence, pupils...), kept with its visit for suppression."""

    walk_id: str
    category: str
    text: str
    at: dt.datetime
    minute: int | None = None
    tags: tuple[str, ...] = ()
    visit_id: str = ""


@dataclass(frozen=True)
class WalkVisit:
    """A visit of a walk as the focus report slices it: its team and year group (never who)."""

    id: str
    walk_id: str
    team: str = ""
    year_group: str = ""


@dataclass(frozen=True)
class Lookfor:
    id: str
    text: str
    active: bool = True


@dataclass(frozen=True)
class WalkData:
    """Learning-walk evidence on one focus: walks, look-for ticks and notes, never names."""

    lookfors: tuple[Lookfor, ...]
    walks: tuple[Walk, ...] = ()
    ticks: tuple[Tick, ...] = ()
    notes: tuple[WalkNote, ...] = ()
    visits: tuple[WalkVisit, ...] = ()


@dataclass(frozen=True)
class FocusData:
    """A focus report: learning-walk evidence on one focus over a period."""

    title: str
    description: str
    kind: str
    period: Period
    walks: WalkData
    other_observations: dict[str, int] = field(default_factory=dict)
    staff_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class FocusPlan:
    """One school focus in the action plan."""

    title: str
    description: str
    active: bool
    walks: WalkData
    observations: dict[str, int] = field(default_factory=dict)
    quotes: tuple[Quote, ...] = ()
    next_steps: tuple[StepItem, ...] = ()


@dataclass(frozen=True)
class ActionPlanData:
    period: Period
    today: dt.date
    focuses: tuple[FocusPlan, ...] = ()
    staff_names: tuple[str, ...] = ()
