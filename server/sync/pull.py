"""The pull service: every change a user may see, oldest first, with a tamper-proof cursor.

No change is ever skipped. The page reads the school's committed change counter first; since
writers hold the school's change lock until they commit (server.sync.versions), every
change numbered at or below it is committed, so the page's query (bounded by it) can miss
nothing that later pages would not carry. A full page ends its cursor at its last change; the
last page ends it at the counter. Each record has one row holding its latest state, so a page
carries each record once.

A page is one statement: a UNION ALL with a branch per entity (each the readable rows of the
window, oldest first, at most limit+1), the directory, and the user's evictions, ordered by
version. The database writes each record's JSON (server.sync.codecs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    case,
    false,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)

from server import audit, policy, timing
from server.extensions import db
from server.models import UUID, Eviction, Team, User, UserTeam
from server.policy import Reader
from server.sync.codecs import (
    CODECS,
    PAGE_COLUMNS,
    PULL_COLUMNS,
    as_text,
    json_object,
    json_value,
    pulled_change,
)
from server.sync.cursor import Cursor, decode_cursor, encode_cursor
from server.sync.permissions import add_can
from server.sync.versions import committed_version


def pull(
    user: User, secret: str, token: str | None, limit: int, audit_device: Any = None
) -> dict[str, Any]:
    """One page of changes (a lead's reads of shared observations go to the audit trail)."""
    cursor = decode_cursor(secret, user, token) if token else None
    with timing.phase("counter"):
        high = committed_version(user.school_id)
    if cursor is None:
        cursor = Cursor(0, high)
    elif cursor.version >= high:
        # Nothing committed in the school since the cursor: the answer needs no page query.
        return _answer(secret, user, [], Cursor(high, cursor.initial_until), False)
    with timing.phase("page"):
        rows = _run_page(user, cursor, high, limit)
    has_more = len(rows) > limit
    page = _latest_per_record([pulled_change(row) for row in rows[:limit]])
    add_can(user, page, rows[:limit])  # what the reader may do with each record (README: leads)
    next_cursor = Cursor(page[-1]["version"] if has_more else high, cursor.initial_until)
    for change in page:
        if change.get("evicted"):
            del change["version"]
    if audit_device is not None and policy.is_lead(user):
        with timing.phase("audit"):
            audit.record_lead_reads(user, audit_device, _observations_carried(rows[:limit]))
    if has_more:
        with timing.phase("remaining"):
            next_cursor = _with_estimate(user, cursor, next_cursor, high, rows[:limit])
    return _answer(secret, user, page, next_cursor, has_more, next_cursor.remaining)


def _with_estimate(user: User, cursor: Cursor, after: Cursor, high: int, rows: list[Any]) -> Cursor:
    """The next cursor carrying how many changes are left after this page (`remaining`).

    The first page of a sync counts the whole window left; the cursor then carries that figure
    and the counter it was counted at, so a later page subtracts what it took and counts only
    what was committed since (usually nothing): a sync of N changes counts them once.
    """
    if cursor.estimate_high is None:
        counted_to, left = after.version, 0
    else:
        taken = sum(1 for row in rows if row.version <= cursor.estimate_high)
        counted_to = max(cursor.estimate_high, after.version)
        left = max(0, cursor.remaining - taken)
    if high > counted_to:
        window = Cursor(counted_to, after.initial_until)
        left += int(_run_statement("count", user, window, high)[0][0])
    return dataclasses.replace(after, remaining=left, estimate_high=high)


def _answer(
    secret: str,
    user: User,
    page: list[dict[str, Any]],
    cursor: Cursor,
    has_more: bool,
    remaining: int = 0,
) -> dict[str, Any]:
    return {
        "changes": page,
        "cursor": encode_cursor(secret, user, cursor),
        "has_more": has_more,
        "remaining": int(remaining),
    }


@dataclass(frozen=True)
class Window:
    """The bind parameters of a page: which versions it covers."""

    after: Any = field(default_factory=lambda: bindparam("after", type_=BigInteger))
    high: Any = field(default_factory=lambda: bindparam("high", type_=BigInteger))
    initial_until: Any = field(default_factory=lambda: bindparam("initial_until", type_=BigInteger))
    low: Any = field(default_factory=lambda: bindparam("low", type_=BigInteger))
    limit: Any = field(default_factory=lambda: bindparam("limit", type_=Integer))
    initial: bool = False


@dataclass(frozen=True)
class CompiledPage:
    sql: str
    positions: tuple[str, ...] | None
    defaults: dict[str, Any]


_STATEMENTS: dict[tuple[str, str, bool, bool], CompiledPage] = {}


def _run_page(user: User, cursor: Cursor, high: int, limit: int) -> list[Any]:
    """The page's rows (PULL_COLUMNS), at most limit+1."""
    return _run_statement("page", user, cursor, high, limit)


def _run_statement(kind: str, user: User, cursor: Cursor, high: int, limit: int = 0) -> list[Any]:
    """Run the page statement (or the count of what is left), compiled once per shape and
    executed as SQL text.

    Building and cache-keying this large UNION with SQLAlchemy cost more than running it;
    the shape depends only on the database, whether the user is a lead, and the first sync.
    """
    connection = db.session.connection()
    dialect = connection.dialect
    initial = cursor.version < cursor.initial_until
    page = _compiled(kind, dialect, policy.is_lead(user), initial)
    params = dict(page.defaults)
    # The statement runs as SQL text, so ids are passed as stored (server.models.UUID).
    to_db: Callable[[Any], Any] = str if dialect.name == "sqlite" else (lambda value: value)
    params.update(
        reader_id=to_db(user.id),
        reader_school=to_db(user.school_id),
        after=cursor.version,
        high=high,
        initial_until=cursor.initial_until,
        low=max(cursor.version, cursor.initial_until),
        limit=limit + 1,
    )
    names = page.positions
    values: Any = tuple(params[name] for name in names) if names else params
    return list(connection.exec_driver_sql(page.sql, values).fetchall())


def _compiled(kind: str, dialect: Any, is_lead: bool, initial: bool) -> CompiledPage:
    key = (kind, dialect.name, is_lead, initial)
    if key not in _STATEMENTS:
        reader = Reader(
            bindparam("reader_id", type_=UUID()), bindparam("reader_school", type_=UUID()), is_lead
        )
        build = page_query if kind == "page" else remaining_query
        statement = build(reader, Window(initial=initial), dialect.name)
        compiled = statement.compile(dialect=dialect)
        positions = tuple(compiled.positiontup) if compiled.positiontup else None
        _STATEMENTS[key] = CompiledPage(compiled.string, positions, dict(compiled.params))
    return _STATEMENTS[key]


def _branches(reader: Reader, window: Window, dialect: str) -> list[Select[Any]]:
    """One SELECT per source of changes, over the window, each in PAGE_COLUMNS."""
    # Notes, next steps and focuses all follow the observations the reader sees: one CTE.
    seen = policy.readable_observation_ids(reader).cte("readable_observations")
    reader = dataclasses.replace(reader, observations=select(seen.c.id))
    return [
        *(_record_branch(entity, reader, window, dialect) for entity in CODECS),
        _user_branch(reader, window),
        _team_branch(reader, window),
        _eviction_branch(reader, window, dialect),
    ]


def remaining_query(reader: Reader, window: Window, dialect: str) -> Select[Any]:
    """How many changes the window holds for the reader: the page's branches, counted."""
    branches = _branches(reader, window, dialect)
    counts = [select(func.count().label("n")).select_from(b.subquery()) for b in branches]
    every = union_all(*counts).subquery("counts")
    return select(func.coalesce(func.sum(every.c.n), 0))


def page_query(reader: Reader, window: Window, dialect: str) -> Select[Any]:
    """The page: every branch's oldest limit+1 rows merged by version, then the JSON of the
    chosen rows only (a branch's rows that do not make the page cost no JSON)."""
    branches = _branches(reader, window, dialect)
    # Each branch is limited first, so a page never sorts more than a few thousand rows.
    limited = [select(*b.order_by("version").limit(window.limit).subquery().c) for b in branches]
    candidates = union_all(*limited).subquery("candidates")
    page = select(*candidates.c).order_by(candidates.c.version).limit(window.limit).subquery("page")
    fields = case(
        (page.c.evicted, null()),
        *[(page.c.entity == e, CODECS[e].pull_plan(dialect).fields_of(page.c.id)) for e in CODECS],
        (page.c.entity == "user", _user_fields(page.c.id, dialect)),
        (page.c.entity == "team", _team_fields(page.c.id, dialect)),
        else_=null(),
    )
    values = [
        page.c.entity,
        as_text(page.c.id, dialect),
        page.c.version,
        page.c.deleted,
        page.c.created_by,
        page.c.conflicts,
        fields,
        _yjs(page, dialect),
        page.c.evicted,
    ]
    columns = [value.label(name) for value, name in zip(values, PULL_COLUMNS, strict=True)]
    return select(*columns).order_by(page.c.version)


def _yjs(page: Any, dialect: str) -> ColumnElement[Any]:
    """The co-written texts' documents of the chosen rows that have them (server.sync.cotext)."""
    documents = [(e, CODECS[e].pull_plan(dialect).yjs_of(page.c.id)) for e in CODECS]
    whens = [(page.c.entity == e, d) for e, d in documents if d is not None]
    return case((page.c.evicted, null()), *whens, else_=null())


def _window(model: Any, window: Window) -> list[ColumnElement[bool]]:
    clauses = [model.version > window.after, model.version <= window.high]
    if window.initial:
        # Still in the first sync: a record deleted before it began was never on the device.
        clauses.append(~model.deleted | (model.version > window.initial_until))
    return clauses


def _record_branch(entity: str, reader: Reader, window: Window, dialect: str) -> Select[Any]:
    codec = CODECS[entity]
    columns = codec.pull_plan(dialect).columns(entity)
    rule = policy.READ_RULES[entity].clause(reader)
    if dialect == "postgresql":
        # PostgreSQL turns a rule's top-level `observation_id IN (readable observations)` into
        # a hash join over every note of the window, then sorts them all for the page's 501
        # (250 ms a page for a lead). Tested with IS TRUE (the same rows: in a WHERE, NULL is
        # false), the rule stays a hashed filter of the (school, version) index scan, which
        # stops at the page's limit. The rule's own school condition is repeated outside it,
        # for the index.
        return select(*columns).where(
            codec.model.school_id == reader.school_id,
            rule.is_(true()),
            *_window(codec.model, window),
        )
    return select(*columns).where(rule, *_window(codec.model, window))


def _directory_columns(entity: str, table: Any) -> list[ColumnElement[Any]]:
    values = [
        literal(entity, String),
        table.id,
        table.version,
        false(),
        null(),
        literal("[]"),
        literal(False),
    ]
    return [value.label(name) for value, name in zip(values, PAGE_COLUMNS, strict=True)]


def _team_ids(dialect: str) -> ColumnElement[Any]:
    """A user's team ids as a JSON array, in id order."""
    team_id = as_text(UserTeam.team_id, dialect)
    if dialect == "sqlite":
        ordered = (
            select(team_id.label("t"))
            .where(UserTeam.user_id == User.id)
            .order_by(UserTeam.team_id)
            .correlate(User)  # a derived table is not correlated unless told (SQLite allows it)
            .subquery()
        )
        return func.json(select(func.json_group_array(ordered.c.t)).scalar_subquery())
    ordered_agg = func.json_agg(team_id.op("ORDER BY")(UserTeam.team_id))
    empty = literal("[]").cast(db.JSON)
    return (
        select(func.coalesce(ordered_agg, empty))
        .where(UserTeam.user_id == User.id)
        .scalar_subquery()
    )


def _user_fields(record_id: Any, dialect: str) -> ColumnElement[Any]:
    fields = json_object(
        [
            ("display_name", User.display_name),
            ("role", User.role),
            ("team_ids", _team_ids(dialect)),
            ("active", json_value(User.__table__.c.active, dialect)),
        ],
        dialect,
    )
    return select(fields).where(User.id == record_id).scalar_subquery()


def _team_fields(record_id: Any, dialect: str) -> ColumnElement[Any]:
    fields = json_object([("name", Team.name), ("kind", Team.kind)], dialect)
    return select(fields).where(Team.id == record_id).scalar_subquery()


def _user_branch(reader: Reader, window: Window) -> Select[Any]:
    return select(*_directory_columns("user", User)).where(
        policy.READ_RULES["user"].clause(reader),
        User.version > window.after,
        User.version <= window.high,
    )


def _team_branch(reader: Reader, window: Window) -> Select[Any]:
    return select(*_directory_columns("team", Team)).where(
        policy.READ_RULES["team"].clause(reader),
        Team.version > window.after,
        Team.version <= window.high,
    )


def _eviction_branch(reader: Reader, window: Window, dialect: str) -> Select[Any]:
    # `low` is the cursor or, in the first sync, where it began: a new device needs no evictions.
    values = [
        Eviction.entity,
        Eviction.record_id,
        Eviction.version,
        false(),
        null(),
        null(),
        literal(True),
    ]
    columns: list[Any] = [
        value.label(name) for value, name in zip(values, PAGE_COLUMNS, strict=True)
    ]
    return select(*columns).where(
        Eviction.user_id == reader.user_id,
        Eviction.version > window.low,
        Eviction.version <= window.high,
    )


def _observations_carried(rows: list[Any]) -> list[tuple[str, Any, str]]:
    """The observations a page hands over, as (id, created_by, fields JSON): no evictions or
    tombstones (rows as PULL_COLUMNS name them)."""
    return [
        (row.id, row.created_by, row.fields)
        for row in rows
        if row.entity == "observation" and not row.evicted and not row.deleted
    ]


def _latest_per_record(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each record once per page, in its latest state (an eviction then a re-grant: the grant)."""
    latest: dict[tuple[str, str], int] = {}
    for index, change in enumerate(changes):
        latest[(change["entity"], change["id"])] = index
    return [c for i, c in enumerate(changes) if latest[(c["entity"], c["id"])] == i]
