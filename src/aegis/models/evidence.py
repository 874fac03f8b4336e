"""Evidence: files (versioned, hashed) and links, attached to controls and requirements."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from aegis.core.db import Base, TimestampMixin, UTCDateTime, VersionMixin, utcnow
from aegis.core.encryption import sealed_column
from aegis.core.storage import DATA_KEY_PURPOSE


class Evidence(VersionMixin, TimestampMixin, Base):
    """A piece of evidence; file evidence has one or more versions."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(300), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(8))
    url: Mapped[str | None] = mapped_column(String(2000))
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class EvidenceVersion(Base):
    """One uploaded file of an evidence item."""

    __tablename__ = "evidence_versions"
    __table_args__ = (UniqueConstraint("evidence_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("evidence.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64))
    # the file's AES-256-GCM key wrapped by a key-encryption key; None: stored as uploaded
    data_key: Mapped[str | None] = mapped_column(String(255), info=sealed_column(DATA_KEY_PURPOSE))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


evidence_controls = Table(
    "evidence_controls",
    Base.metadata,
    Column("evidence_id", ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "control_id", ForeignKey("controls.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)

evidence_requirements = Table(
    "evidence_requirements",
    Base.metadata,
    Column("evidence_id", ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "requirement_id",
        ForeignKey("requirements.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
