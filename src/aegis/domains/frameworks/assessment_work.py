"""The assessment work on a requirement removed with it, each part kept in the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.common.changes import record, snapshot
from aegis.models import Assessment, AssessmentResult, Requirement
from aegis.models.assessment import AssessmentComment, AssessmentOwner

# what the audit trail keeps of each part (as the assessments record them, with who and when)
PARTS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    (
        "assessment_result",
        AssessmentResult,
        (
            "assessment_id",
            "requirement_id",
            "status",
            "justification",
            "decided_by_id",
            "decided_at",
        ),
    ),
    ("assessment_owner", AssessmentOwner, ("assessment_id", "requirement_id", "owner_id")),
    (
        "assessment_comment",
        AssessmentComment,
        ("assessment_id", "requirement_id", "kind", "author_id", "body", "created_at"),
    ),
)


def remove(session: Session, principal: Principal | None, requirement: Requirement) -> None:
    """Delete the results, owners and comments of assessments on the requirement, recorded."""
    removed = []
    for entity_type, model, fields in PARTS:
        stmt = (
            select(model, Assessment.unit_id)
            .join(Assessment, Assessment.id == model.assessment_id)
            .where(model.requirement_id == requirement.id)
            .order_by(model.id)
        )
        for part, unit_id in session.execute(stmt).all():
            before = snapshot(part, fields, requirement=requirement.ref_id)
            removed.append((entity_type, part.id, unit_id, before))
            session.delete(part)
    session.flush()
    for entity_type, part_id, unit_id, before in removed:
        record(session, principal, "delete", entity_type, part_id, unit_id, before=before)
