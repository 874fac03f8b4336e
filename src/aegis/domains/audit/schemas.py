"""Audit trail schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.text import SingleLine

AuditAction = Literal[
    "create",
    "update",
    "delete",
    "sign_in",
    "sign_in_failed",
    "lock",
    "unlock",
    "permission_denied",
    "export",
    "download",
    "mfa_enrolled",
    "mfa_disabled",
    "mfa_failed",
    "mfa_recovery_code_used",
    "mfa_codes_regenerated",
    "mfa_reset",
    "password_change_required",
    "password_change_done",
    "erase",
    "purge",
    "password_confirmed",
]
ChainProblem = Literal["edited", "deleted", "reordered", "inserted", "other_key"]


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
    action: AuditAction | None = None
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

    action_label: str = Field(
        description="Created, Updated, Deleted, Signed in, Sign-in failed, Account locked, "
        "Account unlocked, Access refused, Exported or Downloaded"
    )
    entity_label: str = Field(description="The kind of object, e.g. 'Risk'")
    entity_name: str | None = Field(description="The object's title or name, when known")
    summary: str = Field(description="e.g. \"Updated risk 'Ransomware on file servers'\"")
    actor_name: str | None
    unit_name: str | None
    details: list[AuditChangeRead]


class ChainBreak(BaseModel):
    """The first place where the audit chain does not hold, and what is wrong there."""

    problem: ChainProblem
    problem_label: str = Field(description="e.g. 'Edited', 'Deleted (gap)'")
    event_id: int | None = Field(description="The event at the break (None: no event left)")
    occurred_at: datetime | None = Field(description="When that event was recorded")
    position: int = Field(description="Its place in the chain, from 1")
    message: str = Field(description="What is wrong, in words")


class ChainReport(BaseModel):
    """The result of checking every seal of the audit chain, oldest first."""

    intact: bool
    checked: int = Field(description="Events whose seals were checked")
    last_position: int = Field(description="Events the chain's head says were recorded")
    last_seal: str = Field(description="Seal of the last event; keep it to compare later")
    broken: ChainBreak | None = None
    summary: str = Field(description="The result in one sentence")
