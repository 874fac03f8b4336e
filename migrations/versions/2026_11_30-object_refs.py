"""object refs: a stable reference per asset, risk and task, unique within its unit

Existing rows get a reference made from their id (A-000123, R-000123, T-000123). The
uniqueness is a unique index, which every engine adds without rebuilding the table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIXES = {"assets": "A", "risks": "R", "tasks": "T"}
BATCH = 1000


def _number_existing(table_name: str, prefix: str) -> None:
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("ref", sa.String))
    connection = op.get_bind()
    ids = list(connection.execute(sa.select(table.c.id).order_by(table.c.id)).scalars())
    change = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values(ref=sa.bindparam("new_ref"))
    )
    for start in range(0, len(ids), BATCH):
        rows = [{"row_id": i, "new_ref": f"{prefix}-{i:06d}"} for i in ids[start : start + BATCH]]
        connection.execute(change, rows)


def upgrade() -> None:
    """Add the references, fill them from the ids, then make them unique per unit."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table_name, prefix in PREFIXES.items():
        op.add_column(
            table_name,
            sa.Column("ref", sa.String(length=64), nullable=False, server_default=""),
        )
        _number_existing(table_name, prefix)
        if not sqlite:  # SQLite cannot drop a default without rebuilding the table
            op.alter_column(
                table_name,
                "ref",
                existing_type=sa.String(length=64),
                existing_nullable=False,
                server_default=None,
            )
        op.create_index(f"uq_{table_name}_unit_id_ref", table_name, ["unit_id", "ref"], unique=True)


def downgrade() -> None:
    """Drop the references; the assets, risks and tasks themselves are kept."""
    for table_name in PREFIXES:
        op.drop_index(f"uq_{table_name}_unit_id_ref", table_name=table_name)
        op.drop_column(table_name, "ref")
