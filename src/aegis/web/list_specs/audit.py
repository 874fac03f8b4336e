"""The audit trail: who changed what, when."""

from __future__ import annotations

from aegis.domains.audit import service
from aegis.domains.audit.schemas import AuditEntryRead, AuditEventQuery
from aegis.web.exports import OUTSIDE, SEPARATOR
from aegis.web.listing import Export, ListSpec

NO_VALUE = "—"


def _actor(event: AuditEntryRead) -> str:
    if event.actor_id is None:
        return event.actor_email or "System"
    return event.actor_name or event.actor_email or OUTSIDE


def _unit(event: AuditEntryRead) -> str | None:
    return event.unit_name or (OUTSIDE if event.unit_id is not None else None)


def _changes(event: AuditEntryRead) -> str:
    """Each recorded field as 'Label: before → after', or its value (before a deletion)."""
    parts = []
    for change in event.details:
        if event.action == "update":
            parts.append(
                f"{change.label}: {change.before or NO_VALUE} → {change.after or NO_VALUE}"
            )
        elif (value := change.before if event.action == "delete" else change.after) is not None:
            parts.append(f"{change.label}: {value}")
    return SEPARATOR.join(parts)


AUDIT = ListSpec(
    path="/audit",
    title="Audit trail",
    query=AuditEventQuery,
    fetch=service.list_events,
    default_sort="",
    columns=(),
    filters=(),
    exports=(
        Export("occurred_at"),
        Export("actor", value=_actor),
        Export("actor_email"),
        Export("unit_id", value=_unit),
        Export("entity_type", value=lambda event: event.entity_label),
        Export("entity_id"),
        Export("entity_name"),
        Export("action", value=lambda event: event.action_label),
        Export("summary"),
        Export("changes", value=_changes),
        Export("request_id"),
    ),
    empty="No changes match these filters.",
    note="A wider date range may show more.",
)
