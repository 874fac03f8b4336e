"""Failed sign-ins counted per account and per client address, and the locks they lead to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aegis.core.db import Base, UTCDateTime, utcnow


class SignInThrottle(Base):
    """Recent failed sign-ins of one account (by e-mail) or one client address."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (UniqueConstraint("kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "account" or "address"
    subject: Mapped[str] = mapped_column(String(254))  # the e-mail address tried, or the address
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lockouts: Mapped[int] = mapped_column(Integer, default=0)  # in a row, for growing locks
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
