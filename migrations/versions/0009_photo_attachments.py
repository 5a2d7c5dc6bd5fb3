"""Photos of pupils' work (issue 16): the synced `attachment` record and its tus uploads.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
UTC_DATETIME = sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _synced_columns() -> list[sa.Column]:
    return [
        sa.Column("id", UUID, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("field_meta", sa.JSON(), nullable=False),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("school_id", UUID, nullable=False),
        sa.Column("created_by", UUID, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("observation_id", UUID, nullable=False),
        sa.Column("note_id", UUID, nullable=True),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("stored_key", sa.String(length=200), nullable=True),
        sa.Column("stored_bytes", sa.BigInteger(), nullable=True),
        sa.Column("stored_sha256", sa.String(length=64), nullable=True),
        sa.Column("stored_at", UTC_DATETIME, nullable=True),
        *_synced_columns(),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["note_id"], ["note.id"]),
        sa.ForeignKeyConstraint(["observation_id"], ["observation.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_observation_id", ["observation_id"], unique=False)
        batch_op.create_index("ix_attachment_note_id", ["note_id"], unique=False)
        batch_op.create_index("ix_attachment_school_version", ["school_id", "version"])
    op.create_table(
        "photo_upload",
        sa.Column("id", UUID, nullable=False),
        sa.Column("school_id", UUID, nullable=False),
        sa.Column("attachment_id", UUID, nullable=False),
        sa.Column("created_by", UUID, nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachment.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("photo_upload", schema=None) as batch_op:
        batch_op.create_index("ix_photo_upload_attachment_id", ["attachment_id"], unique=False)
        batch_op.create_index("ix_photo_upload_school", ["school_id", "finished_at"])


def downgrade() -> None:
    op.drop_table("photo_upload")
    op.drop_table("attachment")
