"""Comments on risks and controls, and files attached to risks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aegis.core.db import Base, UTCDateTime, utcnow
from aegis.core.encryption import sealed_column
from aegis.core.storage import DATA_KEY_PURPOSE


class Comment(Base):
    """A comment on a risk or on a control (exactly one of the two is set)."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int | None] = mapped_column(
        ForeignKey("risks.id", ondelete="CASCADE"), index=True
    )
    control_id: Mapped[int | None] = mapped_column(
        ForeignKey("controls.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RiskAttachment(Base):
    """A file attached to a risk; its content is in the blob store under storage_key."""

    __tablename__ = "risk_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64))
    # the file's AES-256-GCM key wrapped by a key-encryption key; None: stored as uploaded
    data_key: Mapped[str | None] = mapped_column(String(255), info=sealed_column(DATA_KEY_PURPOSE))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
