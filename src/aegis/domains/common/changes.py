"""Snapshots of objects and the change events published for the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.events import Action, EntityChanged, publish


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(obj: Any, fields: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    """Return the audited fields of an object as JSON-safe values."""
    values = {name: _plain(getattr(obj, name)) for name in fields}
    if hasattr(obj, "version"):
        values["version"] = obj.version
    values.update({name: _plain(value) for name, value in extra.items()})
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [before, after]} for every field whose value changed."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    session: Session,
    principal: Principal | None,
    action: Action,
    entity_type: str,
    entity_id: int,
    unit_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    context: dict[str, Any] | None = None,
) -> None:
    """Publish a change event for the audit trail (skipped for updates that changed nothing).

    `context` names what the object belongs to (`{"assessment_id": 3}`): recorded unchanged
    beside the changes, so that the trail can say whose part was changed.
    """
    changes = diff(before or {}, after or {})
    if action == "update" and not changes:
        return
    for name, value in (context or {}).items():
        changes.setdefault(name, [_plain(value), _plain(value)])
    publish(
        session,
        EntityChanged(
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            unit_id=unit_id,
            actor_id=principal.user_id if principal else None,
            actor_email=principal.email if principal else None,
            changes=changes,
        ),
    )
