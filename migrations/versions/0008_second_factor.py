"""The second factor: TOTP secrets, recovery codes, a school's requirement.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
UTC_DATETIME = sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "second_factor",
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("confirmed_at", UTC_DATETIME, nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index("ix_recovery_code_user_id", ["user_id"], unique=False)
    op.create_table(
        "school_mfa_requirement",
        sa.Column("school_id", UUID, nullable=False),
        sa.Column("required_for", sa.String(length=16), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("school_id"),
    )


def downgrade() -> None:
    op.drop_table("school_mfa_requirement")
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index("ix_recovery_code_user_id")
    op.drop_table("recovery_code")
    op.drop_table("second_factor")
