"""object versions: a version number on risks, assets, controls, evidence, tasks, assessments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("risks", "assets", "controls", "evidence", "tasks", "assessments")


def upgrade() -> None:
    """Every existing object starts at version 1."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
            )


def downgrade() -> None:
    """Drop the version numbers; the objects themselves are kept."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
