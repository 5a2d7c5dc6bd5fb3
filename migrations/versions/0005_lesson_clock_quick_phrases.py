"""The live lesson (issue 12): one lesson clock per observation, a teacher's quick phrases.

`observation.lesson_started_at` (nullable timestamp, a synced field: when the lesson began, set
by whoever starts the clock first) and `app_user.phrases` (a JSON list of the teacher's own
quick-note phrases, `GET`/`PUT /api/v1/me/phrases`; existing accounts get none).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# As in 0001: timestamptz on PostgreSQL, the wire's ISO 8601 text (in UTC) on SQLite.
UTC_DATETIME = sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table rebuild on SQLite, which other tables' foreign keys forbid).
    op.add_column("observation", sa.Column("lesson_started_at", UTC_DATETIME, nullable=True))
    op.add_column(
        "app_user",
        sa.Column("phrases", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )


def _drop(table: str, column: str) -> None:
    """ALTER TABLE ... DROP COLUMN (SQLite 3.35+ too), never a batch rebuild of the table."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    else:
        op.drop_column(table, column)


def downgrade() -> None:
    _drop("app_user", "phrases")
    _drop("observation", "lesson_started_at")
