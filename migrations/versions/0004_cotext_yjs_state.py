"""Co-written text: each observation and next step keeps its shared texts' Yjs documents.

A `yjs` JSON column, {field: base64 of the document's full state as a Yjs update}, on
observation (focus_question, learning_intention, strengths, wonderings, reflection) and
next_step (text). Existing rows get documents seeded from their current text, so every
device starts its edits from the one document the server holds (server/sync/cotext.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import base64

import pycrdt
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FIELDS = {
    "observation": (
        "focus_question",
        "learning_intention",
        "strengths",
        "wonderings",
        "reflection",
    ),
    "next_step": ("text",),
}


def _seed(text):
    """The state of a new document holding text (as server.sync.cotext.seed makes it)."""
    doc = pycrdt.Doc()
    root = doc.get("text", type=pycrdt.Text)
    if text:
        root.insert(0, text)
    return base64.b64encode(doc.get_update()).decode("ascii")


def upgrade() -> None:
    for table_name, fields in FIELDS.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("yjs", sa.JSON(), nullable=True))
        table = sa.table(
            table_name, sa.column("id"), sa.column("yjs", sa.JSON()), *map(sa.column, fields)
        )
        bind = op.get_bind()
        rows = bind.execute(sa.select(table.c.id, *[table.c[f] for f in fields])).all()
        for row in rows:
            state = {f: _seed(getattr(row, f) or "") for f in fields}
            bind.execute(table.update().where(table.c.id == row.id).values(yjs=state))
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.alter_column("yjs", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    for table_name in FIELDS:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column("yjs")
