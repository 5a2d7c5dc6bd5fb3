"""School sign-in with OpenID Connect (issue 14): the school's providers, its setting
"create accounts on first sign-in", sign-ins under way (state, nonce, PKCE verifier), one-time
codes for the PWA, and the provider accounts people signed in with (server/accounts/oidc).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
UTC_DATETIME = sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A device opened through the school's provider (its own second factor applies, not ours).
    op.add_column(
        "device",
        sa.Column("via_provider", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "oidc_provider",
        sa.Column("id", UUID, nullable=False),
        sa.Column("school_id", UUID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=True),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=False),
        sa.Column("allowed_domains", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("oidc_provider", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oidc_provider_school_id"), ["school_id"], unique=False)

    op.create_table(
        "oidc_school_setting",
        sa.Column("school_id", UUID, nullable=False),
        sa.Column("create_accounts", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
        ),
        sa.PrimaryKeyConstraint("school_id"),
    )
    op.create_table(
        "oidc_code",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("device_name", sa.String(length=100), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    with op.batch_alter_table("oidc_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oidc_code_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_oidc_code_user_id"), ["user_id"], unique=False)

    op.create_table(
        "oidc_identity",
        sa.Column("id", UUID, nullable=False),
        sa.Column("provider_id", UUID, nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("last_sign_in_at", UTC_DATETIME, nullable=False),
        sa.Column("checked_at", UTC_DATETIME, nullable=True),
        sa.Column("gone_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["provider_id"], ["oidc_provider.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id", "subject"),
    )
    with op.batch_alter_table("oidc_identity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oidc_identity_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_oidc_identity_user_id"), ["user_id"], unique=False)

    op.create_table(
        "oidc_login",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("provider_id", UUID, nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=200), nullable=False),
        sa.Column("device_name", sa.String(length=100), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["oidc_provider.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("state_hash"),
    )
    with op.batch_alter_table("oidc_login", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oidc_login_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_oidc_login_provider_id"), ["provider_id"], unique=False
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("ALTER TABLE device DROP COLUMN via_provider"))
    else:
        op.drop_column("device", "via_provider")
    with op.batch_alter_table("oidc_login", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_login_provider_id"))
        batch_op.drop_index(batch_op.f("ix_oidc_login_expires_at"))

    op.drop_table("oidc_login")
    with op.batch_alter_table("oidc_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_identity_user_id"))
        batch_op.drop_index(batch_op.f("ix_oidc_identity_provider_id"))

    op.drop_table("oidc_identity")
    with op.batch_alter_table("oidc_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_code_user_id"))
        batch_op.drop_index(batch_op.f("ix_oidc_code_expires_at"))

    op.drop_table("oidc_code")
    op.drop_table("oidc_school_setting")
    with op.batch_alter_table("oidc_provider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_provider_school_id"))

    op.drop_table("oidc_provider")
