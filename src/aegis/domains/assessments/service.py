"""Use cases of compliance assessments, their results and human overrides."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.core.errors import ValidationFailed
from aegis.domains.assessments import repository as repo
from aegis.domains.assessments.derivation import count, score
from aegis.domains.assessments.errors import (
    AssessmentNotFound,
    OverrideNotFound,
    RequirementNotAssessed,
)
from aegis.domains.assessments.results import compute, compute_many, sort_results
from aegis.domains.assessments.schemas import (
    AssessmentCreate,
    AssessmentDetail,
    AssessmentQuery,
    AssessmentRead,
    AssessmentUpdate,
    OverrideWrite,
    ResultQuery,
    ResultRead,
)
from aegis.domains.common import versions
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.models import Assessment, AssessmentResult

FIELDS = ("unit_id", "framework_id", "name", "description", "status", "due_date")
REQUIRED = ("name", "status")
OVERRIDE_FIELDS = ("assessment_id", "requirement_id", "status", "justification")
SORTABLE = {
    "name": Assessment.name,
    "created_at": Assessment.created_at,
    "due_date": Assessment.due_date,
    "status": Assessment.status,
    "id": Assessment.id,
}


def list_assessments(
    *, session: Session, principal: Principal, query: AssessmentQuery
) -> Page[AssessmentRead]:
    """List the assessments of the caller's units."""
    stmt = apply_sort(
        repo.filtered(principal.readable, query), query.sort, SORTABLE, (Assessment.id,)
    )
    rows, total = fetch_page(session, stmt, query)
    return Page.of([AssessmentRead.model_validate(r) for r in rows], total, query)


def _get(
    session: Session, principal: Principal, assessment_id: int, *, lock: bool = False
) -> Assessment:
    assessment = repo.get(session, principal.readable, assessment_id, lock=lock)
    if assessment is None:
        raise AssessmentNotFound("Assessment not found")
    return assessment


def _detail(session: Session, assessment: Assessment) -> AssessmentDetail:
    return _summarise(assessment, compute(session, assessment))


def _summarise(assessment: Assessment, results: list[ResultRead]) -> AssessmentDetail:
    counts = count(r.status for r in results)
    return AssessmentDetail.model_validate(
        {
            **AssessmentRead.model_validate(assessment).model_dump(),
            "score": score(counts),
            "requirement_count": len(results),
            "counts": counts,
        }
    )


def get_assessment(
    *, session: Session, principal: Principal, assessment_id: int
) -> AssessmentDetail:
    """Return an assessment with its score and the number of requirements per result."""
    return _detail(session, _get(session, principal, assessment_id))


def create_assessment(
    *, session: Session, principal: Principal, data: AssessmentCreate
) -> AssessmentDetail:
    """Start an assessment of a framework shared with the caller, for a unit they may change."""
    principal.require_write(data.unit_id)
    if not repo.framework_shared(session, principal.shared_with, data.framework_id):
        raise ValidationFailed("Framework not found", field="framework_id")
    assessment = Assessment(**data.model_dump())
    session.add(assessment)
    session.flush()
    record(
        session,
        principal,
        "create",
        "assessment",
        assessment.id,
        assessment.unit_id,
        after=snapshot(assessment, FIELDS),
    )
    return _detail(session, assessment)


def update_assessment(
    *, session: Session, principal: Principal, assessment_id: int, data: AssessmentUpdate
) -> AssessmentDetail:
    """Rename, describe, reschedule or move an assessment through its statuses."""
    assessment = _get(session, principal, assessment_id, lock=True)
    principal.require_write(assessment.unit_id)
    changes = data.model_dump(exclude_unset=True)
    expected = versions.expected_version(changes)
    versions.require_current(
        session, assessment, expected, entity_type="assessment", what="assessment"
    )
    for required in REQUIRED:
        if required in changes and changes[required] is None:
            raise ValidationFailed("This field cannot be empty", field=required)
    before = snapshot(assessment, FIELDS)
    for name, value in changes.items():
        setattr(assessment, name, "" if name == "description" and value is None else value)
    session.flush()
    after = versions.saved(session, assessment, before, snapshot(assessment, FIELDS))
    record(
        session, principal, "update", "assessment", assessment.id, assessment.unit_id, before, after
    )
    return _detail(session, assessment)


def delete_assessment(*, session: Session, principal: Principal, assessment_id: int) -> None:
    """Delete an assessment with its overrides."""
    assessment = _get(session, principal, assessment_id, lock=True)
    principal.require_write(assessment.unit_id)
    before = snapshot(assessment, FIELDS)
    session.delete(assessment)
    session.flush()
    record(
        session,
        principal,
        "delete",
        "assessment",
        assessment_id,
        assessment.unit_id,
        before=before,
    )


def list_results(
    *, session: Session, principal: Principal, assessment_id: int, query: ResultQuery
) -> Page[ResultRead]:
    """The results of an assessment's requirements, filtered by effective status."""
    results = compute(session, _get(session, principal, assessment_id))
    if query.status is not None:
        results = [r for r in results if r.status == query.status]
    ordered = sort_results(results, query.sort)
    return Page.of(ordered[query.offset : query.offset + query.limit], len(ordered), query)


def _result_of(session: Session, assessment: Assessment, requirement_id: int) -> ResultRead:
    return next(r for r in compute(session, assessment) if r.requirement_id == requirement_id)


def _assessed(
    session: Session, principal: Principal, assessment_id: int, requirement_id: int
) -> Assessment:
    assessment = _get(session, principal, assessment_id)
    principal.require_write(assessment.unit_id)
    found = repo.assessable_requirement(session, assessment.framework_id, requirement_id)
    if found is None:
        raise RequirementNotAssessed("Requirement not found in this assessment")
    return assessment


def set_override(
    *,
    session: Session,
    principal: Principal,
    assessment_id: int,
    requirement_id: int,
    data: OverrideWrite,
) -> ResultRead:
    """Record a human verdict on a requirement, replacing any earlier one."""
    assessment = _assessed(session, principal, assessment_id, requirement_id)
    decided = repo.override(session, assessment.id, requirement_id)
    before = snapshot(decided, OVERRIDE_FIELDS) if decided else None
    if decided is None:
        decided = AssessmentResult(assessment_id=assessment.id, requirement_id=requirement_id)
        session.add(decided)
    decided.status = data.status.value
    decided.justification = data.justification
    decided.decided_by_id = principal.user_id
    decided.decided_at = utcnow()
    session.flush()
    record(
        session,
        principal,
        "update" if before else "create",
        "assessment_result",
        decided.id,
        assessment.unit_id,
        before,
        snapshot(decided, OVERRIDE_FIELDS),
    )
    return _result_of(session, assessment, requirement_id)


def clear_override(
    *, session: Session, principal: Principal, assessment_id: int, requirement_id: int
) -> None:
    """Remove the human verdict on a requirement; the derived result counts again."""
    assessment = _assessed(session, principal, assessment_id, requirement_id)
    decided = repo.override(session, assessment.id, requirement_id)
    if decided is None:
        raise OverrideNotFound("This requirement's result is not overridden")
    result_id, before = decided.id, snapshot(decided, OVERRIDE_FIELDS)
    session.delete(decided)
    session.flush()
    record(
        session,
        principal,
        "delete",
        "assessment_result",
        result_id,
        assessment.unit_id,
        before=before,
    )


class FrameworkScore(NamedTuple):
    """A framework and its latest assessment, with the score."""

    framework_id: int
    framework_name: str
    framework_version: str
    assessment: AssessmentDetail


def latest_scores_by_framework(*, session: Session, principal: Principal) -> list[FrameworkScore]:
    """The newest assessment of each framework in the caller's units, scored, by framework name.

    "Newest" is by creation time. Every score is computed together in a fixed number of
    queries, however many frameworks are assessed.
    """
    latest = repo.latest_per_framework(session, principal.readable)
    results = compute_many(session, [assessment for assessment, _, _ in latest])
    return [
        FrameworkScore(
            framework_id=assessment.framework_id,
            framework_name=name,
            framework_version=version,
            assessment=_summarise(assessment, results[assessment.id]),
        )
        for assessment, name, version in latest
    ]


class ResultInOrder(NamedTuple):
    """One requirement's result with its neighbours in the framework's order."""

    assessment: AssessmentDetail
    result: ResultRead
    previous_id: int | None
    next_id: int | None
    position: int
    total: int


def get_result(
    *, session: Session, principal: Principal, assessment_id: int, requirement_id: int
) -> ResultInOrder:
    """One requirement's result, with the scored assessment and the requirements around it."""
    assessment = _get(session, principal, assessment_id)
    results = compute(session, assessment)
    for index, result in enumerate(results):
        if result.requirement_id == requirement_id:
            return ResultInOrder(
                assessment=_summarise(assessment, results),
                result=result,
                previous_id=results[index - 1].requirement_id if index > 0 else None,
                next_id=results[index + 1].requirement_id if index + 1 < len(results) else None,
                position=index + 1,
                total=len(results),
            )
    raise RequirementNotAssessed("Requirement not found in this assessment")


def get_assessment_with_results(
    *, session: Session, principal: Principal, assessment_id: int, query: ResultQuery
) -> tuple[AssessmentDetail, Page[ResultRead]]:
    """The scored assessment and one page of its results, computed once for both."""
    assessment = _get(session, principal, assessment_id)
    results = compute(session, assessment)
    matching = [r for r in results if query.status is None or r.status == query.status]
    ordered = sort_results(matching, query.sort)
    page: Page[ResultRead] = Page.of(
        ordered[query.offset : query.offset + query.limit], len(ordered), query
    )
    return _summarise(assessment, results), page
