"""framework key and version unique per unit, so a conflict never reveals a hidden framework

Across units, the service refuses a key and version only when the person creating the
framework can see the one that has them (ADR 0007). A downgrade restores the global
uniqueness: a framework whose key and version another unit's framework already has gets
its id appended to its version (e.g. `1.0~42`), so nothing is lost.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSION_LENGTH = 50


def upgrade() -> None:
    """Make key and version unique per unit instead of everywhere."""
    with op.batch_alter_table("frameworks") as batch:
        batch.drop_constraint("uq_frameworks_key_version", type_="unique")
        batch.create_unique_constraint(
            "uq_frameworks_unit_id_key_version", ["unit_id", "key", "version"]
        )
        batch.create_index("ix_frameworks_key_version", ["key", "version"], unique=False)


def _rename_duplicates() -> None:
    frameworks = sa.table(
        "frameworks", sa.column("id", sa.Integer), sa.column("key"), sa.column("version")
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(frameworks.c.id, frameworks.c.key, frameworks.c.version).order_by(
            frameworks.c.id
        )
    ).all()
    taken = {(key, version) for _, key, version in rows}
    seen: set[tuple[str, str]] = set()
    for framework_id, key, version in rows:
        if (key, version) not in seen:
            seen.add((key, version))
            continue
        suffix = f"~{framework_id}"
        renamed = version[: VERSION_LENGTH - len(suffix)] + suffix
        while (key, renamed) in taken:
            suffix = "~" + suffix
            renamed = version[: VERSION_LENGTH - len(suffix)] + suffix
        taken.add((key, renamed))
        connection.execute(
            frameworks.update().where(frameworks.c.id == framework_id).values(version=renamed)
        )


def downgrade() -> None:
    """Make key and version unique everywhere again, renaming versions that would clash."""
    _rename_duplicates()
    with op.batch_alter_table("frameworks") as batch:
        batch.drop_index("ix_frameworks_key_version")
        batch.drop_constraint("uq_frameworks_unit_id_key_version", type_="unique")
        batch.create_unique_constraint("uq_frameworks_key_version", ["key", "version"])
