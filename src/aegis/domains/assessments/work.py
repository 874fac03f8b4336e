"""Working an assessment: one verdict for many requirements, and who answers each one."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal, ancestors
from aegis.core.db import utcnow
from aegis.core.errors import ValidationFailed
from aegis.domains.assessments import repository as repo
from aegis.domains.assessments.errors import RequirementNotAssessed
from aegis.domains.assessments.results import compute, with_work
from aegis.domains.assessments.schemas import BulkOverrideWrite, OwnerWrite, ResultRead
from aegis.domains.assessments.service import OVERRIDE_FIELDS, find_assessment, part_of
from aegis.domains.common.changes import record, snapshot
from aegis.models import Assessment, AssessmentResult
from aegis.models.assessment import AssessmentOwner

OWNER_FIELDS = ("assessment_id", "requirement_id", "owner_id")


def _unique(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _listed(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def set_overrides(
    *, session: Session, principal: Principal, assessment_id: int, data: BulkOverrideWrite
) -> list[ResultRead]:
    """Give several requirements one verdict and reason; refused whole if any is not allowed."""
    assessment = find_assessment(session, principal, assessment_id, lock=True)
    principal.require_write(assessment.unit_id)
    wanted = _unique(data.requirement_ids)
    found = repo.assessable_among(session, assessment.framework_id, wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationFailed(
            "Not a requirement of this assessment, so nothing was saved: "
            f"requirement {_listed(missing)}",
            field="requirement_ids",
        )
    decided = repo.overrides_for(session, assessment.id, wanted)
    befores = {i: snapshot(r, OVERRIDE_FIELDS) for i, r in decided.items()}
    now = utcnow()
    for requirement_id in wanted:
        if requirement_id not in decided:
            decided[requirement_id] = AssessmentResult(
                assessment_id=assessment.id, requirement_id=requirement_id
            )
            session.add(decided[requirement_id])
        result = decided[requirement_id]
        result.status = data.status.value
        result.justification = data.justification
        result.decided_by_id = principal.user_id
        result.decided_at = now
    session.flush()
    for requirement_id in wanted:
        result, before = decided[requirement_id], befores.get(requirement_id)
        record(
            session,
            principal,
            "update" if before else "create",
            "assessment_result",
            result.id,
            assessment.unit_id,
            before,
            snapshot(result, OVERRIDE_FIELDS),
            context=part_of(result),
        )
    chosen = set(wanted)
    results = [r for r in compute(session, assessment) if r.requirement_id in chosen]
    return with_work(session, assessment.id, results)


def _candidates(
    session: Session, principal: Principal, assessment: Assessment, user_id: int | None = None
) -> list[tuple[int, str]]:
    above = frozenset(ancestors(assessment.unit_id, repo.unit_parents(session)))
    return repo.owner_candidates(session, assessment.unit_id, above, principal.readable, user_id)


def owner_choices(
    *, session: Session, principal: Principal, assessment_id: int
) -> list[tuple[int, str]]:
    """The people who may own requirements of the assessment: they can see it, and so can you."""
    return _candidates(session, principal, find_assessment(session, principal, assessment_id))


def _check_owner(
    session: Session, principal: Principal, assessment: Assessment, owner_id: int
) -> None:
    if not _candidates(session, principal, assessment, owner_id):
        raise ValidationFailed(
            "Choose an active person who can see this assessment's unit", field="owner_id"
        )


def set_owner(
    *,
    session: Session,
    principal: Principal,
    assessment_id: int,
    requirement_id: int,
    data: OwnerWrite,
) -> ResultRead:
    """Make someone responsible for answering a requirement, or leave it without an owner."""
    assessment = find_assessment(session, principal, assessment_id, lock=True)
    principal.require_write(assessment.unit_id)
    if repo.assessable_requirement(session, assessment.framework_id, requirement_id) is None:
        raise RequirementNotAssessed("Requirement not found in this assessment")
    owner = repo.owner_of(session, assessment.id, requirement_id)
    before = snapshot(owner, OWNER_FIELDS) if owner else None
    if data.owner_id is None and owner is not None:
        session.delete(owner)
        session.flush()
        record(
            session,
            principal,
            "delete",
            "assessment_owner",
            owner.id,
            assessment.unit_id,
            before=before,
        )
    elif data.owner_id is not None and (owner is None or owner.owner_id != data.owner_id):
        _check_owner(session, principal, assessment, data.owner_id)
        if owner is None:
            owner = AssessmentOwner(assessment_id=assessment.id, requirement_id=requirement_id)
            session.add(owner)
        owner.owner_id = data.owner_id
        owner.assigned_by_id = principal.user_id
        owner.assigned_at = utcnow()
        session.flush()
        record(
            session,
            principal,
            "update" if before else "create",
            "assessment_owner",
            owner.id,
            assessment.unit_id,
            before,
            snapshot(owner, OWNER_FIELDS),
            context=part_of(owner),
        )
    result = next(r for r in compute(session, assessment) if r.requirement_id == requirement_id)
    return with_work(session, assessment.id, [result])[0]
