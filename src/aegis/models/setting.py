"""Organisation-wide settings kept in the database (for example the risk matrix)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from aegis.core.db import Base, TimestampMixin


class StoredSetting(TimestampMixin, Base):
    """A named JSON value changed by administrators at run time."""

    __tablename__ = "stored_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
