"""framework catalog uuid: the OSCAL catalog a framework was imported from

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Frameworks loaded before keep no catalog uuid; re-imports match them by key and version."""
    with op.batch_alter_table("frameworks") as batch:
        batch.add_column(sa.Column("catalog_uuid", sa.String(length=36), nullable=True))
        batch.create_index(batch.f("ix_frameworks_catalog_uuid"), ["catalog_uuid"], unique=False)


def downgrade() -> None:
    """Drop the catalog uuids; the frameworks and their requirements are kept."""
    with op.batch_alter_table("frameworks") as batch:
        batch.drop_index(batch.f("ix_frameworks_catalog_uuid"))
        batch.drop_column("catalog_uuid")
