"""The organisation's controls and the framework requirements each one meets."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aegis.core.db import Base, TimestampMixin, VersionMixin


class Control(VersionMixin, TimestampMixin, Base):
    """A safeguard the organisation operates, with an owner and an implementation status."""

    __tablename__ = "controls"
    __table_args__ = (UniqueConstraint("unit_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(32), index=True)


control_requirements = Table(
    "control_requirements",
    Base.metadata,
    Column("control_id", ForeignKey("controls.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "requirement_id",
        ForeignKey("requirements.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
