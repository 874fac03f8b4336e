"""In-process domain events: services publish changes, subscribers (the audit trail) react."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

Action = Literal[
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


@dataclass(frozen=True)
class EntityChanged:
    """An object was created, updated or deleted by someone."""

    action: Action
    entity_type: str
    entity_id: int
    unit_id: int | None
    actor_id: int | None
    actor_email: str | None
    changes: dict[str, list[Any]] = field(default_factory=dict)


Handler = Callable[[Session, EntityChanged], None]
_handlers: list[Handler] = []


def subscribe(handler: Handler) -> None:
    """Register a handler called, in the publisher's transaction, for every event."""
    if handler not in _handlers:
        _handlers.append(handler)


def publish(session: Session, event: EntityChanged) -> None:
    """Deliver an event to every subscriber within the current transaction."""
    for handler in _handlers:
        handler(session, event)
