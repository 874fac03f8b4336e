"""One object of every kind the API names by id, so that fuzzed requests reach real objects."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.db import utcnow
from aegis.core.storage import LocalBlobStore
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.api_tokens.schemas import ApiTokenCreate
from aegis.domains.assessments import comments as assessment_comments
from aegis.domains.assessments.schemas import AssessmentCommentCreate
from aegis.domains.discussion.schemas import Subject
from aegis.domains.frameworks import mappings
from aegis.domains.frameworks.schemas import RequirementMappingCreate
from aegis.domains.risks import acceptance
from aegis.domains.risks.acceptance_schemas import AcceptancePolicy, AcceptanceRequestCreate
from aegis.models import AuthSession, RoleAssignment
from aegis.models.api_token import ApiTokenAccess
from aegis.models.enums import MappingRelationship
from tests.factories.assessments import make_assessment
from tests.factories.assets import make_asset
from tests.factories.controls import make_control
from tests.factories.discussion import make_attachment, make_comment
from tests.factories.evidence import make_file
from tests.factories.frameworks import make_framework
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task


def build_objects(
    db: Session, world: Any, principal_for: Any, store: LocalBlobStore
) -> dict[str, int]:
    """Objects in division-a, which both company-wide users read; {id parameter name: id}."""
    admin, unit = principal_for("admin"), world.units["division-a"]
    framework, requirements = make_framework(db, admin, unit, ("R1", "R2"))
    _, others = make_framework(db, admin, unit, ("X1",))
    asset = make_asset(db, admin, unit, name="fuzz-server")
    control = make_control(db, admin, unit, requirement_ids=[requirements["R1"]])
    risk = make_risk(
        db, admin, unit, status="assessed", asset_ids=[asset.id], control_ids=[control.id]
    )
    task = make_task(db, admin, unit, risk_id=risk.id)
    assessment = make_assessment(db, admin, unit, framework.id)
    evidence = make_file(db, admin, store, unit, control_ids=[control.id])
    mapping = mappings.create_mapping(
        session=db,
        principal=admin,
        data=RequirementMappingCreate(
            source_id=requirements["R2"],
            target_id=others["X1"],
            relationship=MappingRelationship.EQUAL,
        ),
    )
    request = acceptance.request_acceptance(
        session=db,
        principal=principal_for("analyst"),
        risk_id=risk.id,
        data=AcceptanceRequestCreate(
            justification="Exposure is below the appetite",
            expires_on=utcnow().date() + timedelta(days=90),
        ),
        policy=AcceptancePolicy(),
        today=utcnow().date(),
    )
    assessment_comments.add_comment(
        session=db,
        principal=admin,
        assessment_id=assessment.id,
        data=AssessmentCommentCreate(body="Scope agreed"),
    )
    token = api_tokens.create_token(
        session=db,
        principal=principal_for("analyst"),
        data=ApiTokenCreate(
            name="Backup job",
            access=ApiTokenAccess.READ_ONLY,
            unit_ids=[unit],
            expires_on=utcnow().date() + timedelta(days=30),
        ),
        max_days=365,
    )
    analyst = world.users["analyst"]
    assignment = db.scalar(select(RoleAssignment.id).where(RoleAssignment.user_id == analyst))
    ids = {
        "unit_id": world.units["team-a1"],
        "user_id": analyst,
        "assignment_id": assignment,
        "framework_id": framework.id,
        "requirement_id": requirements["R1"],
        "other_requirement_id": others["X1"],
        "mapping_id": mapping.id,
        "asset_id": asset.id,
        "control_id": control.id,
        "risk_id": risk.id,
        "task_id": task.id,
        "assessment_id": assessment.id,
        "evidence_id": evidence.id,
        "number": 1,
        "request_id": request.id,
        "token_id": token.id,
        "attachment_id": make_attachment(db, admin, store, risk.id).id,
        "risk_comment_id": make_comment(db, admin, Subject.risk(risk.id), "Seen").id,
        "control_comment_id": make_comment(db, admin, Subject.control(control.id), "Ok").id,
    }
    return {name: value for name, value in ids.items() if value is not None}


def session_of(db: Session, user_id: int) -> int | None:
    """The id of a user's login session."""
    return db.scalar(select(AuthSession.id).where(AuthSession.user_id == user_id))
