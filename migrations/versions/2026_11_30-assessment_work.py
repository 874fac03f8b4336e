"""owners of requirements in an assessment; comments and auditor notes on assessments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aegis.core.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the assessment_owners and assessment_comments tables."""
    op.create_table(
        "assessment_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_owners_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_owners_assigned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_assessment_owners_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirements.id"],
            name=op.f("fk_assessment_owners_requirement_id_requirements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_owners")),
        sa.UniqueConstraint(
            "assessment_id",
            "requirement_id",
            name=op.f("uq_assessment_owners_assessment_id_requirement_id"),
        ),
    )
    with op.batch_alter_table("assessment_owners") as batch:
        batch.create_index(
            batch.f("ix_assessment_owners_assessment_id"), ["assessment_id"], unique=False
        )
        batch.create_index(batch.f("ix_assessment_owners_owner_id"), ["owner_id"], unique=False)
        batch.create_index(
            batch.f("ix_assessment_owners_requirement_id"), ["requirement_id"], unique=False
        )

    op.create_table(
        "assessment_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_comments_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_assessment_comments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirements.id"],
            name=op.f("fk_assessment_comments_requirement_id_requirements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_comments")),
    )
    with op.batch_alter_table("assessment_comments") as batch:
        batch.create_index(
            batch.f("ix_assessment_comments_assessment_id"), ["assessment_id"], unique=False
        )
        batch.create_index(
            batch.f("ix_assessment_comments_requirement_id"), ["requirement_id"], unique=False
        )


def downgrade() -> None:
    """Drop the owners, comments and notes; assessments and their results are kept."""
    op.drop_table("assessment_comments")
    op.drop_table("assessment_owners")
