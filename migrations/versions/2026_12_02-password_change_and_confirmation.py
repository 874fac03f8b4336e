"""Users may be asked to change their password; sessions remember when the password was last entered

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aegis.core.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add users.password_change_reason and auth_sessions.password_confirmed_at."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_change_reason", sa.String(length=16), nullable=True))
    with op.batch_alter_table("auth_sessions") as batch:
        batch.add_column(
            sa.Column("password_confirmed_at", aegis.core.db.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    """Drop both columns: pending password changes and confirmations are forgotten."""
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_column("password_confirmed_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_change_reason")
