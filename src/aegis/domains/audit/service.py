"""Recording change events and reading them back within the reader's scope."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, in_units
from aegis.core.context import current_request_id
from aegis.core.errors import PermissionDenied
from aegis.core.events import EntityChanged
from aegis.domains.audit.schemas import AuditEntryRead, AuditEventQuery, AuditEventRead
from aegis.domains.audit.wording import entries
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.models import AuditEvent

SORTABLE = {"occurred_at": AuditEvent.occurred_at, "entity_type": AuditEvent.entity_type}


def record_change(session: Session, event: EntityChanged) -> None:
    """Store one change event in the caller's transaction."""
    session.add(
        AuditEvent(
            actor_id=event.actor_id,
            actor_email=event.actor_email,
            unit_id=event.unit_id,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            action=event.action,
            changes=event.changes,
            request_id=current_request_id(),
        )
    )


def _require_auditor(principal: Principal) -> frozenset[int]:
    """Return the units whose events the principal may read as admin or readonly."""
    if not principal.auditable:
        raise PermissionDenied("Reading the audit trail needs the admin or readonly role")
    return principal.auditable


def list_events(
    *, session: Session, principal: Principal, query: AuditEventQuery
) -> Page[AuditEntryRead]:
    """List audit events of the units the reader can see, newest first, in words."""
    units = _require_auditor(principal)
    stmt = select(AuditEvent).where(in_units(AuditEvent.unit_id, units))
    if query.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == query.entity_type)
    if query.entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == query.entity_id)
    if query.actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == query.actor_id)
    if query.action:
        stmt = stmt.where(AuditEvent.action == query.action)
    if query.since:
        stmt = stmt.where(AuditEvent.occurred_at >= query.since)
    if query.until:
        stmt = stmt.where(AuditEvent.occurred_at < query.until)
    stmt = apply_sort(
        stmt, query.sort, SORTABLE, (AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    rows, total = fetch_page(session, stmt, query)
    events = [AuditEventRead.model_validate(r) for r in rows]
    return Page.of(entries(session, principal, events), total, query)


def recent_events(
    *,
    session: Session,
    principal: Principal,
    limit: int = 10,
    within: frozenset[int] | None = None,
) -> list[AuditEntryRead]:
    """The newest events of the caller's units (or of those `within` them), newest first.

    Unlike the audit trail itself, this needs no admin or readonly role: every reader of a
    unit sees the latest activity in it. What the events refer to is named wherever the
    caller can read it, also outside `within` (a dashboard narrowed to one unit).
    """
    units = principal.readable if within is None else principal.readable & within
    stmt = (
        select(AuditEvent)
        .where(in_units(AuditEvent.unit_id, units))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    events = [AuditEventRead.model_validate(row) for row in session.scalars(stmt)]
    return entries(session, principal, events)


def entity_types(*, session: Session, principal: Principal) -> list[str]:
    """The kinds of objects recorded in the audit trail of the reader's units (for filters)."""
    units = _require_auditor(principal)
    stmt = (
        select(AuditEvent.entity_type)
        .where(in_units(AuditEvent.unit_id, units))
        .distinct()
        .order_by(AuditEvent.entity_type)
    )
    return list(session.scalars(stmt))


def changes_after_version(
    *, session: Session, entity_type: str, entity_id: int, version: int, limit: int = 50
) -> list[AuditEventRead]:
    """The recorded saves of an object that raised it beyond `version`, newest first."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    newer = []
    for event in session.scalars(stmt):
        raised_to = (event.changes or {}).get("version", [None, None])[1]
        if isinstance(raised_to, int) and raised_to > version:
            newer.append(AuditEventRead.model_validate(event))
    return newer
