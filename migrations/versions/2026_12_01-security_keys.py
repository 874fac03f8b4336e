"""WebAuthn security keys as a second factor; sign-in challenges remember their WebAuthn challenge

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aegis.core.db

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the mfa_security_keys table and mfa_challenges.webauthn_challenge."""
    op.create_table(
        "mfa_security_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("credential_id", sa.Text(), nullable=False),
        sa.Column("credential_hash", sa.String(length=64), nullable=False),
        sa.Column("public_key_sealed", sa.Text(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("transports", sa.String(length=200), nullable=False),
        sa.Column("created_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", aegis.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mfa_security_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_security_keys")),
        sa.UniqueConstraint("credential_hash", name=op.f("uq_mfa_security_keys_credential_hash")),
    )
    with op.batch_alter_table("mfa_security_keys") as batch:
        batch.create_index(batch.f("ix_mfa_security_keys_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("mfa_challenges") as batch:
        batch.add_column(sa.Column("webauthn_challenge", sa.String(length=128), nullable=True))


def downgrade() -> None:
    """Drop the security keys (their users sign in with the app or recovery codes).

    The WebAuthn challenges of sign-in steps live minutes; every key registered or removed
    stays in the audit trail.
    """
    with op.batch_alter_table("mfa_challenges") as batch:
        batch.drop_column("webauthn_challenge")
    op.drop_table("mfa_security_keys")
