"""The person's rights: the audit trail, a school's retention setting, erased accounts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
UTC_DATETIME = sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("school_id", UUID, nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("actor_id", UUID, nullable=True),
        sa.Column("device_id", UUID, nullable=True),
        sa.Column("device_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", UUID, nullable=True),
        sa.Column("subject_id", UUID, nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_school_at", ["school_id", "at"], unique=False)
        batch_op.create_index("ix_audit_event_subject", ["subject_id", "id"], unique=False)
        batch_op.create_index(
            "ix_audit_event_record_device", ["record_id", "device_id"], unique=False
        )
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retention_years", sa.Integer(), nullable=False, server_default="6")
        )
        batch_op.add_column(
            sa.Column("year_end", sa.String(length=5), nullable=False, server_default="08-31")
        )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", UTC_DATETIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.drop_column("year_end")
        batch_op.drop_column("retention_years")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_record_device")
        batch_op.drop_index("ix_audit_event_subject")
        batch_op.drop_index("ix_audit_event_school_at")
    op.drop_table("audit_event")
