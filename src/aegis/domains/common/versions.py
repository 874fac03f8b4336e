"""No silent overwrite: a save names the version it read, and a save over a newer one is refused.

Every saved change raises an object's version by one (the mapper also adds
`WHERE version = <read version>` to its UPDATE, so a concurrent save cannot slip in between).
A refused save reports who changed what since, field by field, from the audit trail.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.errors import EditConflict
from aegis.domains.audit import service as audit
from aegis.domains.common.changes import diff

REFERENCE_SUFFIXES = ("_id", "_ids")
META_FIELDS = ("id", "version", "created_at", "updated_at")  # read with every object


def expected_version(changes: dict[str, Any]) -> int | None:
    """Take the version the caller read out of their changes (None when they did not say)."""
    value = changes.pop("version", None)
    return None if value is None else int(value)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "empty"
    if isinstance(value, datetime | date):
        return (
            value.isoformat(sep=" ", timespec="seconds")
            if isinstance(value, datetime)
            else str(value)
        )
    if isinstance(value, str):
        return f"“{value.replace('_', ' ') if value.islower() and ' ' not in value else value}”"
    return str(value)


def _field_details(obj: Any, events: list[Any]) -> list[dict[str, Any]]:
    details: dict[str, dict[str, Any]] = {}
    for event in reversed(events):  # oldest first, so the newest author of a field wins
        who = event.actor_email or "someone"
        when = event.occurred_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        for field in event.changes:
            if field == "version":
                continue
            message = f"Changed by {who} at {when}"
            if not field.endswith(REFERENCE_SUFFIXES) and hasattr(obj, field):
                message += f": now {_shown(getattr(obj, field))}"
            details[field] = {
                "field": field,
                "message": message,
                "changed_by": who,
                "changed_at": when,
            }
    return list(details.values())


def require_current(
    session: Session, obj: Any, expected: int | None, *, entity_type: str, what: str
) -> None:
    """Refuse the save when the caller read an older version than the stored one."""
    if expected is None or expected == obj.version:
        return
    events = audit.changes_after_version(
        session=session, entity_type=entity_type, entity_id=obj.id, version=expected
    )
    details = _field_details(obj, events)
    latest = events[0].actor_email if events and events[0].actor_email else "someone else"
    details.append(
        {
            "field": "version",
            "message": f"You read version {expected}; it is now at version {obj.version}",
            "current": obj.version,
        }
    )
    raise EditConflict(
        f"This {what} was changed by {latest} after you opened it, so your changes were not "
        "saved. Review their changes, then save again.",
        details=details,
    )


def saved(
    session: Session, obj: Any, before: dict[str, Any], after: dict[str, Any]
) -> dict[str, Any]:
    """Raise the version when the save changed anything; return the after-view with it."""
    if not diff(before, after):
        return after
    obj.version = before["version"] + 1
    session.flush()
    return {**after, "version": obj.version}
