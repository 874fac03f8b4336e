"""Task builders, and bare risk and control rows to link tasks to."""

from __future__ import annotations

from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.tasks import service
from aegis.domains.tasks.schemas import CommentCreate, CommentRead, TaskCreate, TaskRead
from aegis.models import Control, Risk

_numbers = count(1)


def make_risk(db: Session, unit_id: int, **fields: Any) -> Risk:
    """Insert a bare risk row in a unit (not through the risks domain)."""
    values: dict[str, Any] = {
        "unit_id": unit_id,
        "title": f"Risk {next(_numbers)}",
        "category": "technical",
        "status": "identified",
        "inherent_likelihood": 3,
        "inherent_impact": 4,
        "inherent_score": 12,
        "inherent_level": "high",
        **fields,
    }
    risk = Risk(**values)
    db.add(risk)
    db.flush()
    return risk


def make_control(db: Session, unit_id: int, **fields: Any) -> Control:
    """Insert a bare control row in a unit (not through the controls domain)."""
    number = next(_numbers)
    values: dict[str, Any] = {
        "unit_id": unit_id,
        "ref": f"C-{number}",
        "title": f"Control {number}",
        "status": "planned",
        **fields,
    }
    control = Control(**values)
    db.add(control)
    db.flush()
    return control


def make_task(db: Session, principal: Principal, unit_id: int, **fields: Any) -> TaskRead:
    """Create a task in a unit, linked to a new risk of that unit unless links are given."""
    if not any(name in fields for name in ("risk_id", "asset_id", "control_id")):
        fields["risk_id"] = make_risk(db, unit_id).id
    data = {"title": f"Task {next(_numbers)}", "unit_id": unit_id, **fields}
    return service.create_task(session=db, principal=principal, data=TaskCreate(**data))


def make_comment(db: Session, principal: Principal, task_id: int, body: str) -> CommentRead:
    """Comment on a task."""
    return service.add_comment(
        session=db, principal=principal, task_id=task_id, data=CommentCreate(body=body)
    )
