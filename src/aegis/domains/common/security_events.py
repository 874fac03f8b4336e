"""Security events (sign-ins and their failures, locks, refusals, exports, downloads)."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.core.context import current_client_address, current_request_id, note_account
from aegis.core.events import Action, EntityChanged, publish
from aegis.models import RoleAssignment, Unit

log = structlog.get_logger("aegis.security")


def home_unit(session: Session, user_id: int | None) -> int | None:
    """The unit an event about a user is filed under: their first unit, else the root unit."""
    if user_id is not None:
        unit = session.scalar(
            select(func.min(RoleAssignment.unit_id)).where(RoleAssignment.user_id == user_id)
        )
        if unit is not None:
            return int(unit)
    return session.scalar(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id))


def record_security_event(
    session: Session,
    action: Action,
    *,
    entity_type: str,
    entity_id: int,
    unit_id: int | None,
    actor_id: int | None,
    actor_email: str | None,
    details: dict[str, Any],
    level: str = "warning",
) -> None:
    """Record a security event in the audit trail and as a structured log line (no secrets).

    `level` is the log level: warning for failures and refusals, info for what is expected
    (sign-ins, exports, downloads).
    """
    address = current_client_address()
    recorded = {**details, "client_address": address}
    publish(
        session,
        EntityChanged(
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            unit_id=unit_id,
            actor_id=actor_id,
            actor_email=actor_email,
            changes={key: [None, value] for key, value in recorded.items() if value is not None},
        ),
    )
    fields = {
        "user_id": actor_id,
        "user": actor_email,
        "client_address": address,
        "unit_id": unit_id,
        "request_id": current_request_id(),
    }
    getattr(log, level)(action, **{**fields, **details})


def log_refused_credential(
    credential: str, reason: str, *, user_id: int | None = None, email: str | None = None
) -> None:
    """Log a refused token or session with the account it names (when it names one).

    Only the kind of credential and why it was refused are written, never the credential. The
    account is also noted for the request's own log line. These refusals go to the log only:
    clients with an expired token are routine, and the audit trail keeps what people did.
    """
    note_account(user_id, email)
    log.warning(
        "credential_refused",
        credential=credential,
        reason=reason,
        user_id=user_id,
        user=email,
        client_address=current_client_address(),
        request_id=current_request_id(),
    )
