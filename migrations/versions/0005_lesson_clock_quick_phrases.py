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
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lesson_started_at", UTC_DATETIME, nullable=True))
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phrases", sa.JSON(), nullable=True))
    op.execute(sa.text("UPDATE app_user SET phrases = '[]'"))
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.alter_column("phrases", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("phrases")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_column("lesson_started_at")
