"""Recording change events and reading them back within the reader's scope."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, in_units
from aegis.core.context import current_request_id
from aegis.core.errors import PermissionDenied
from aegis.core.events import EntityChanged
from aegis.domains.audit import chain  # noqa: F401  (seals every event this module records)
from aegis.domains.audit.schemas import AuditEntryRead, AuditEventQuery, AuditEventRead
from aegis.domains.audit.wording import entries
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.common.security_events import home_unit, record_security_event
from aegis.models import AuditEvent, Evidence, EvidenceVersion, Risk, RiskAttachment, User

CHANGES = ("create", "update", "delete")
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


def _actor(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id is not None else None


def record_export(
    session: Session, *, user_id: int | None, route: str, filename: str, filters: dict[str, str]
) -> None:
    """Record that a list or table was exported, by whom, with which filters."""
    user = _actor(session, user_id)
    record_security_event(
        session,
        "export",
        entity_type="export",
        entity_id=0,
        unit_id=home_unit(session, user.id if user else None),
        actor_id=user.id if user else None,
        actor_email=user.email if user else None,
        details={"route": route, "filename": filename, "filters": filters or None},
        level="info",
    )


def record_download(
    session: Session,
    *,
    user_id: int | None,
    kind: Literal["evidence", "risk_attachment"],
    object_id: int,
    filename: str,
    sha256: str | None = None,
    version: int | None = None,
) -> None:
    """Record that a stored file was downloaded, filed under the unit of its object.

    The evidence version sent is the one asked for, else the newest with the sent content.
    """
    user = _actor(session, user_id)
    details: dict[str, Any] = {"filename": filename, "sha256": sha256}
    if kind == "evidence":
        unit_id = session.scalar(select(Evidence.unit_id).where(Evidence.id == object_id))
        details["version_number"] = version or session.scalar(
            select(func.max(EvidenceVersion.number)).where(
                EvidenceVersion.evidence_id == object_id, EvidenceVersion.sha256 == sha256
            )
        )
    else:
        found = session.execute(
            select(Risk.id, Risk.unit_id)
            .join(RiskAttachment, RiskAttachment.risk_id == Risk.id)
            .where(RiskAttachment.id == object_id)
        ).one_or_none()
        details["risk_id"], unit_id = found if found is not None else (None, None)
    record_security_event(
        session,
        "download",
        entity_type=kind,
        entity_id=object_id,
        unit_id=unit_id,
        actor_id=user.id if user else None,
        actor_email=user.email if user else None,
        details=details,
        level="info",
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
    """The newest changes of objects in the caller's units (or `within` them), newest first.

    Unlike the audit trail itself, this needs no admin or readonly role: every reader of a
    unit sees the latest activity in it, but not its security events (sign-ins, refusals,
    exports, downloads), which only auditors read. What the events refer to is named
    wherever the caller can read it, also outside `within` (a dashboard narrowed to one unit).
    """
    units = principal.readable if within is None else principal.readable & within
    stmt = (
        select(AuditEvent)
        .where(in_units(AuditEvent.unit_id, units), AuditEvent.action.in_(CHANGES))
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
