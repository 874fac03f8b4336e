"""quarantined uploads: infected files kept out of the blob store

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aegis.core.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the quarantined_files table."""
    op.create_table(
        "quarantined_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("upload_kind", sa.String(length=32), nullable=False),
        sa.Column("signature", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_quarantined_files_unit_id_units"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_quarantined_files_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_files")),
    )
    with op.batch_alter_table("quarantined_files") as batch:
        batch.create_index(batch.f("ix_quarantined_files_unit_id"), ["unit_id"], unique=False)
        batch.create_index(
            batch.f("ix_quarantined_files_uploaded_at"), ["uploaded_at"], unique=False
        )


def downgrade() -> None:
    """Drop the records of quarantined files; the files stay in the quarantine directory.

    Every quarantined upload is also in the audit trail, which keeps its name, signature and
    digest after a downgrade.
    """
    op.drop_table("quarantined_files")
