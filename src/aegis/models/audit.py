"""The audit trail: one row per change, with who, when, where and what, sealed in a chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from aegis.core.db import Base, UTCDateTime, utcnow

HEAD_ID = 1  # the single row of audit_chain_head


class AuditEvent(Base):
    """A recorded change or security event; never changed or removed once written.

    `actor_id` and `unit_id` keep the ids as recorded (no foreign keys, so that removing a
    unit changes no event). `chain_position`, `chain_previous` and `chain_seal` place the
    event in the tamper-evident chain (see `aegis.core.audit_chain`).
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    entity_type: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
    chain_position: Mapped[int] = mapped_column(Integer, unique=True)
    chain_previous: Mapped[str] = mapped_column(String(64))
    chain_seal: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The end of the chain: the last position and seal, locked by every append."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_position: Mapped[int] = mapped_column(Integer, default=0)
    last_seal: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))
