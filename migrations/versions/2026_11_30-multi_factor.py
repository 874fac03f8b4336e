"""multi-factor sign-in: authenticator apps, recovery codes, sign-in challenges, requirements

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aegis.core.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the mfa_totp, mfa_recovery_codes, mfa_challenges and mfa_requirements tables."""
    op.create_table(
        "mfa_totp",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("secret_sealed", sa.String(length=512), nullable=False),
        sa.Column("created_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", aegis.core.db.UTCDateTime(), nullable=True),
        sa.Column("last_used_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mfa_totp_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mfa_totp")),
    )
    op.create_table(
        "mfa_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.Column("used_at", aegis.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mfa_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_mfa_recovery_codes_code_hash")),
    )
    with op.batch_alter_table("mfa_recovery_codes") as batch:
        batch.create_index(batch.f("ix_mfa_recovery_codes_user_id"), ["user_id"], unique=False)
    op.create_table(
        "mfa_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.Column("used_at", aegis.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mfa_challenges_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_challenges")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_mfa_challenges_key_hash")),
    )
    with op.batch_alter_table("mfa_challenges") as batch:
        batch.create_index(batch.f("ix_mfa_challenges_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_mfa_challenges_expires_at"), ["expires_at"], unique=False)
    op.create_table(
        "mfa_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_mfa_requirements_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_mfa_requirements_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_requirements")),
        sa.UniqueConstraint("unit_id", "role", name=op.f("uq_mfa_requirements_unit_id_role")),
    )
    with op.batch_alter_table("mfa_requirements") as batch:
        batch.create_index(batch.f("ix_mfa_requirements_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    """Drop the MFA tables: users sign in with their password alone again.

    Secrets, recovery codes and rules cannot live in the older schema; every enrolment,
    reset and rule change stays in the audit trail.
    """
    op.drop_table("mfa_requirements")
    op.drop_table("mfa_challenges")
    op.drop_table("mfa_recovery_codes")
    op.drop_table("mfa_totp")
