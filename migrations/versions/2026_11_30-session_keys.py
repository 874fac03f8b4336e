"""session keys: login sessions named by a random key kept as a digest; idle time, device, address

Sessions used to be named by their sequential id, which an access token or browser cookie
carried. They are now named by a random key of which only the SHA-256 digest is stored, so
every session open at the time of the upgrade is ended: its holders sign in again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import aegis.core.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SESSIONS = sa.table(
    "auth_sessions",
    sa.column("created_at", aegis.core.db.UTCDateTime()),
    sa.column("last_used_at", aegis.core.db.UTCDateTime()),
    sa.column("revoked_at", aegis.core.db.UTCDateTime()),
)


def _end_open_sessions() -> None:
    op.execute(
        SESSIONS.update()
        .where(SESSIONS.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def upgrade() -> None:
    """Add the key digest, kind, last use, device and address; end the open sessions."""
    with op.batch_alter_table("auth_sessions") as batch:
        batch.add_column(sa.Column("key_hash", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("kind", sa.String(length=16), server_default="api", nullable=False)
        )
        batch.add_column(sa.Column("last_used_at", aegis.core.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("user_agent", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("client_address", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(batch.f("uq_auth_sessions_key_hash"), ["key_hash"])
    op.execute(SESSIONS.update().values(last_used_at=SESSIONS.c.created_at))
    _end_open_sessions()
    with op.batch_alter_table("auth_sessions") as batch:
        batch.alter_column(
            "last_used_at", existing_type=aegis.core.db.UTCDateTime(), nullable=False
        )


def downgrade() -> None:
    """Drop the new columns and end the open sessions; the session rows are kept."""
    _end_open_sessions()
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_constraint(batch.f("uq_auth_sessions_key_hash"), type_="unique")
        batch.drop_column("client_address")
        batch.drop_column("user_agent")
        batch.drop_column("last_used_at")
        batch.drop_column("kind")
        batch.drop_column("key_hash")
