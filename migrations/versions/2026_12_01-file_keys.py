"""file keys: each evidence file's and risk attachment's AES-256-GCM data key, wrapped

Files stored before this revision keep no key (they are as uploaded) until
`aegis keys encrypt-existing` encrypts them. The downgrade refuses while any file is
encrypted, since dropping the column would lose the only keys that open them: run
`aegis keys decrypt-existing` first.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("evidence_versions", "risk_attachments")


def upgrade() -> None:
    """Add data_key to evidence_versions and risk_attachments."""
    for name in TABLES:
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("data_key", sa.String(length=255), nullable=True))


def downgrade() -> None:
    """Drop the data_key columns, refused while a file depends on its key."""
    for name in TABLES:
        files = sa.table(name, sa.column("data_key", sa.String(255)))
        count = (
            op.get_bind()
            .execute(
                sa.select(sa.func.count()).select_from(files).where(files.c.data_key.is_not(None))
            )
            .scalar_one()
        )
        if count:
            raise RuntimeError(
                f"{count} files of {name} are encrypted: run `aegis keys decrypt-existing` "
                "before this downgrade, or the keys that open them would be lost"
            )
    for name in TABLES:
        with op.batch_alter_table(name) as batch:
            batch.drop_column("data_key")
