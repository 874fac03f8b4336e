"""What notices look like to their recipient and to the operator."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aegis.domains.common.listing import ListQuery

NoticeStatus = Literal["sent", "pending", "failed"]


def status_of(sent_at: datetime | None, attempts: int) -> NoticeStatus:
    """Sent once a mail server took it; failed after an attempt that did not; else pending."""
    if sent_at is not None:
        return "sent"
    return "failed" if attempts else "pending"


class NoticeRead(BaseModel):
    """A security notice as its recipient reads it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str = Field(description="What it is about, such as password_changed or code_reused")
    subject: str
    body: str = Field(description="The plain-text message")
    created_at: datetime
    sent_at: datetime | None = Field(description="When a mail server took it; null if not yet")


class NoticeQuery(ListQuery):
    """Paging of one's own notices (newest first)."""


class OutboxItem(BaseModel):
    """A notice waiting in the outbox, as the operator sees it (never its body)."""

    id: int
    user_id: int
    kind: str
    subject: str
    created_at: datetime
    attempts: int
    last_error: str | None
    status: NoticeStatus
