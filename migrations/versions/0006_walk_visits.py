"""A learning walk's visits: the `visit` entity (classroom by classroom), and `note.visit_id`.

A visit is one classroom of a walk: its observation (a learning walk), when (`at`), the class,
year group, subject and team seen there. A note may name the visit it was written in (a visit
of the same observation). README: leads; docs/leads.md.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
UTC_DATETIME = sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")


def upgrade() -> None:
    op.create_table(
        "visit",
        sa.Column("observation_id", UUID, nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("class_label", sa.Text(), nullable=False),
        sa.Column("year_group", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("team_id", UUID, nullable=True),
        sa.Column("id", UUID, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("field_meta", sa.JSON(), nullable=False),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("school_id", UUID, nullable=False),
        sa.Column("created_by", UUID, nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["observation_id"], ["observation.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index("ix_visit_observation_id", ["observation_id"], unique=False)
        batch_op.create_index("ix_visit_school_version", ["school_id", "version"], unique=False)
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_id", UUID, nullable=True))
        batch_op.create_foreign_key("fk_note_visit_id", "visit", ["visit_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_constraint("fk_note_visit_id", type_="foreignkey")
        batch_op.drop_column("visit_id")
    op.drop_table("visit")
