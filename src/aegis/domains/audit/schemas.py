"""Audit trail schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.text import SingleLine


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

    entity_type: SingleLine | None = Field(None, max_length=64)
    entity_id: Id | None = None
    actor_id: Id | None = None
    action: (
        Literal[
            "create", "update", "delete", "sign_in_failed", "lock", "unlock", "permission_denied"
        ]
        | None
    ) = None
    since: datetime | None = None
    until: datetime | None = None


class AuditChangeRead(BaseModel):
    """One recorded field in words: its label and values, names and labels resolved."""

    field: str
    label: str
    before: str | None = Field(description="None when the field had no value")
    after: str | None = Field(description="None when the field has no value")


class AuditEntryRead(AuditEventRead):
    """A recorded change with what people read: names instead of ids, labels instead of codes.

    `changes` keeps the values as recorded; `details` words them for the reader, naming
    referenced objects the reader can see and 'an item outside your units' for the others.
    `occurred_at` is given to the second.
    """

    action_label: str = Field(description="Created, Updated or Deleted")
    entity_label: str = Field(description="The kind of object, e.g. 'Risk'")
    entity_name: str | None = Field(description="The object's title or name, when known")
    summary: str = Field(description="e.g. \"Updated risk 'Ransomware on file servers'\"")
    actor_name: str | None
    unit_name: str | None
    details: list[AuditChangeRead]
