"""Assessment builders."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.assessments import service
from aegis.domains.assessments.schemas import AssessmentCreate, AssessmentDetail


def make_assessment(
    db: Session, principal: Principal, unit_id: int, framework_id: int, **fields: Any
) -> AssessmentDetail:
    """Create an assessment of a framework for a unit."""
    data = {"unit_id": unit_id, "framework_id": framework_id, "name": "Annual review", **fields}
    return service.create_assessment(session=db, principal=principal, data=AssessmentCreate(**data))
