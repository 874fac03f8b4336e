"""Risks of the register, their score history, acceptance requests and links."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from aegis.core.db import Base, TimestampMixin, UTCDateTime, VersionMixin, utcnow
from aegis.models.refs import REF_LENGTH, number_automatically


class Risk(VersionMixin, TimestampMixin, Base):
    """A risk with inherent and residual likelihood × impact, treatment and acceptance."""

    __tablename__ = "risks"
    __table_args__ = (Index("uq_risks_unit_id_ref", "unit_id", "ref", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    ref: Mapped[str] = mapped_column(String(REF_LENGTH))
    title: Mapped[str] = mapped_column(String(300), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(32), index=True)
    inherent_likelihood: Mapped[int] = mapped_column(Integer)
    inherent_impact: Mapped[int] = mapped_column(Integer)
    inherent_score: Mapped[int] = mapped_column(Integer, index=True)
    inherent_level: Mapped[str] = mapped_column(String(32))
    residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    residual_impact: Mapped[int | None] = mapped_column(Integer)
    residual_score: Mapped[int | None] = mapped_column(Integer, index=True)
    residual_level: Mapped[str | None] = mapped_column(String(32))
    treatment: Mapped[str | None] = mapped_column(String(16))
    treatment_plan: Mapped[str] = mapped_column(Text, default="")
    treatment_due_date: Mapped[date | None] = mapped_column(Date)
    acceptance_approver_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    acceptance_justification: Mapped[str] = mapped_column(Text, default="")
    acceptance_expires_on: Mapped[date | None] = mapped_column(Date)
    next_review_date: Mapped[date | None] = mapped_column(Date)


number_automatically(Risk, "R")


class RiskScoreChange(Base):
    """The scores of a risk after one change, with who changed them and when."""

    __tablename__ = "risk_score_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    inherent_likelihood: Mapped[int] = mapped_column(Integer)
    inherent_impact: Mapped[int] = mapped_column(Integer)
    inherent_score: Mapped[int] = mapped_column(Integer)
    residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    residual_impact: Mapped[int | None] = mapped_column(Integer)
    residual_score: Mapped[int | None] = mapped_column(Integer)


class RiskAcceptanceRequest(Base):
    """A request to accept a risk until a day, decided by someone other than its requester."""

    __tablename__ = "risk_acceptance_requests"
    __table_args__ = (Index("ix_risk_acceptance_requests_status_risk_id", "status", "risk_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    justification: Mapped[str] = mapped_column(Text)
    expires_on: Mapped[date] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str] = mapped_column(Text, default="")


risk_assets = Table(
    "risk_assets",
    Base.metadata,
    Column("risk_id", ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True),
    Column("asset_id", ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True, index=True),
)

risk_controls = Table(
    "risk_controls",
    Base.metadata,
    Column("risk_id", ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "control_id", ForeignKey("controls.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)
