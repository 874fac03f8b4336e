"""Frameworks as versioned data: requirement hierarchies and mappings between requirements."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aegis.core.db import Base, TimestampMixin


class Framework(TimestampMixin, Base):
    """One version of a framework (NIST CSF 2.0, NIST SP 800-53 rev 5, ...)."""

    __tablename__ = "frameworks"
    # unique per unit; across units, among the frameworks a person can see (ADR 0007)
    __table_args__ = (
        UniqueConstraint("unit_id", "key", "version"),
        Index("ix_frameworks_key_version", "key", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    catalog_uuid: Mapped[str | None] = mapped_column(String(36), index=True)


class Requirement(Base):
    """A function, category, control or any node of a framework's requirement tree."""

    __tablename__ = "requirements"
    __table_args__ = (UniqueConstraint("framework_id", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("requirements.id", ondelete="CASCADE"), index=True
    )
    ref_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text, default="")
    assessable: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RequirementMapping(Base):
    """A set-theoretic relationship from one requirement to another."""

    __tablename__ = "requirement_mappings"
    __table_args__ = (UniqueConstraint("source_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("requirements.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("requirements.id", ondelete="CASCADE"), index=True
    )
    relationship: Mapped[str] = mapped_column(String(16))
