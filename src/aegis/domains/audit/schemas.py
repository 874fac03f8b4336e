"""Audit trail schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aegis.domains.common.listing import ListQuery


class AuditEventRead(BaseModel):
    """One recorded change."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_email: str | None
    unit_id: int | None
    entity_type: str
    entity_id: int
    action: str
    changes: dict[str, Any]
    request_id: str | None


class AuditEventQuery(ListQuery):
    """Filters of the audit trail."""

    entity_type: str | None = Field(None, max_length=64)
    entity_id: int | None = None
    actor_id: int | None = None
    action: Literal["create", "update", "delete"] | None = None
    since: datetime | None = None
    until: datetime | None = None
