"""failed sign-ins counted per account and per client address, with their locks

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aegis.core.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the sign_in_throttles table."""
    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.Column("locked_until", aegis.core.db.UTCDateTime(), nullable=True),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("updated_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_throttles")),
        sa.UniqueConstraint("kind", "subject", name=op.f("uq_sign_in_throttles_kind_subject")),
    )


def downgrade() -> None:
    """Drop the sign_in_throttles table (counts of recent failures only; nothing else lost)."""
    op.drop_table("sign_in_throttles")
