"""Risk builders."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.domains.risks import acceptance, service
from aegis.domains.risks.acceptance_schemas import (
    AcceptanceDecision,
    AcceptancePolicy,
    AcceptanceRequestCreate,
)
from aegis.domains.risks.schemas import RiskCreate, RiskRead
from aegis.models import Control


def risk_body(unit_id: int, **fields: Any) -> dict[str, Any]:
    """A valid creation body: an operational risk rated 3 × 3 (defaults)."""
    return {
        "unit_id": unit_id,
        "title": "Ransomware on file servers",
        "category": "operational",
        "inherent_likelihood": 3,
        "inherent_impact": 3,
        **fields,
    }


def make_risk(db: Session, principal: Principal, unit_id: int, **fields: Any) -> RiskRead:
    """Create a risk in a unit through the service."""
    data = RiskCreate(**risk_body(unit_id, **fields))
    return service.create_risk(session=db, principal=principal, data=data)


def make_control(db: Session, unit_id: int, ref: str = "AC-1") -> int:
    """A bare control row to link risks to; the controls domain has its own builders."""
    control = Control(unit_id=unit_id, ref=ref, title=f"Control {ref}", status="implemented")
    db.add(control)
    db.flush()
    return control.id


def accept_risk(
    db: Session,
    requester: Principal,
    approver: Principal,
    risk_id: int,
    *,
    days: int = 180,
    today: date | None = None,
) -> RiskRead:
    """Accept a risk the way people do: one asks, someone else approves."""
    day = today or utcnow().date()
    policy = AcceptancePolicy()
    request = acceptance.request_acceptance(
        session=db,
        principal=requester,
        risk_id=risk_id,
        data=AcceptanceRequestCreate(
            justification="Exposure is below the appetite", expires_on=day + timedelta(days=days)
        ),
        policy=policy,
        today=day,
    )
    acceptance.approve_request(
        session=db,
        principal=approver,
        request_id=request.id,
        data=AcceptanceDecision(),
        policy=policy,
        today=day,
    )
    return service.get_risk(session=db, principal=approver, risk_id=risk_id)
