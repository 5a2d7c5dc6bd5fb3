"""Extensions created without an app (flaskr style), bound in create_app."""

from __future__ import annotations

import sqlite3
from contextvars import ContextVar
from typing import Any

from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from schemas.common import ErrorSchema


class Base(DeclarativeBase):
    """Declarative base of every model."""


# Objects stay usable after a commit: a view commits, then dumps what it changed.
class LessonLoopApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with our error schema; server.errors registers the handlers."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """server.errors.register_error_handlers owns error rendering."""


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True, compare_type=True)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy issue BEGIN itself (the pysqlite default defers it until the
    # first write, which would give a transaction no consistent read snapshot).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Set by server.sync.versions.write_transaction: the next SQLite transaction takes the
# write lock at BEGIN, so it never has to upgrade a stale read snapshot (SQLITE_BUSY).
sqlite_immediate: ContextVar[bool] = ContextVar("sqlite_immediate", default=False)


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection: Any) -> None:
    """Emit the BEGIN that the sqlite3 module no longer sends."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_immediate.get() else "BEGIN")
