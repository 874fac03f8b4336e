"""Risk builders."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.risks import service
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
