"""risk acceptance requests: accepting a risk is asked for and decided by someone else

A risk whose acceptance has run out now has its own status, acceptance_expired; a
downgrade gives those risks back the status accepted (their past expiry date still
says the acceptance ran out).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aegis.core.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the risk_acceptance_requests table."""
    op.create_table(
        "risk_acceptance_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", aegis.core.db.UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", aegis.core.db.UTCDateTime(), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risks.id"],
            name=op.f("fk_risk_acceptance_requests_risk_id_risks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_risk_acceptance_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_risk_acceptance_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_acceptance_requests")),
    )
    with op.batch_alter_table("risk_acceptance_requests") as batch:
        batch.create_index(
            batch.f("ix_risk_acceptance_requests_risk_id"), ["risk_id"], unique=False
        )
        batch.create_index(
            batch.f("ix_risk_acceptance_requests_requested_by_id"),
            ["requested_by_id"],
            unique=False,
        )
        batch.create_index(
            "ix_risk_acceptance_requests_status_risk_id", ["status", "risk_id"], unique=False
        )


def downgrade() -> None:
    """Drop the requests; expired acceptances become accepted risks with a past expiry again.

    A decided request already lives on in its risk (approver, justification, expiry) and in
    the audit trail; pending requests are lost and must be asked for again.
    """
    risks = sa.table("risks", sa.column("status", sa.String))
    op.execute(
        risks.update().where(risks.c.status == "acceptance_expired").values(status="accepted")
    )
    op.drop_table("risk_acceptance_requests")
