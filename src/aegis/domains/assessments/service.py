"""Use cases of compliance assessments, their results and human overrides.

Owners, bulk verdicts and comments are in `work` and `comments`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

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
from aegis.domains.assessments.results import (
    compute,
    compute_many,
    matching,
    order,
    sort_results,
    with_work,
)
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
from aegis.domains.common.ranks import ranked
from aegis.models import Assessment, AssessmentResult
from aegis.models.enums import AssessmentStatus

FIELDS = ("unit_id", "framework_id", "name", "description", "status", "due_date")
REQUIRED = ("name", "status")
OVERRIDE_FIELDS = ("assessment_id", "requirement_id", "status", "justification")
SORTABLE = {
    "name": Assessment.name,
    "created_at": Assessment.created_at,
    "due_date": Assessment.due_date,
    "status": ranked(Assessment.status, AssessmentStatus),
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


def find_assessment(
    session: Session, principal: Principal, assessment_id: int, *, lock: bool = False
) -> Assessment:
    """An assessment of the caller's units; others are not found."""
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
    return _detail(session, find_assessment(session, principal, assessment_id))


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
    assessment = find_assessment(session, principal, assessment_id, lock=True)
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
    assessment = find_assessment(session, principal, assessment_id, lock=True)
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


def may_annotate(principal: Principal, unit_id: int) -> bool:
    """Whether the caller may add auditor notes to assessments of this unit: reading it suffices.

    A note changes nothing of the assessment: results, owners and overrides still need the
    right to change the unit.
    """
    return principal.can_read(unit_id)


def _worked(session: Session, assessment: Assessment) -> list[ResultRead]:
    return with_work(session, assessment.id, compute(session, assessment))


def _page(results: list[ResultRead], query: ResultQuery, user_id: int) -> Page[ResultRead]:
    ordered = sort_results(matching(results, query, user_id), query.sort)
    return Page.of(ordered[query.offset : query.offset + query.limit], len(ordered), query)


def list_results(
    *, session: Session, principal: Principal, assessment_id: int, query: ResultQuery
) -> Page[ResultRead]:
    """The results of an assessment's requirements, filtered by result, owner and verdict."""
    results = _worked(session, find_assessment(session, principal, assessment_id))
    return _page(results, query, principal.user_id)


def _result_of(session: Session, assessment: Assessment, requirement_id: int) -> ResultRead:
    return next(r for r in compute(session, assessment) if r.requirement_id == requirement_id)


def _assessed(
    session: Session, principal: Principal, assessment_id: int, requirement_id: int
) -> Assessment:
    assessment = find_assessment(session, principal, assessment_id)
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
        context=part_of(decided),
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


def part_of(part: Any) -> dict[str, Any]:
    """What an assessment's part belongs to, as the audit trail names it."""
    return {"assessment_id": part.assessment_id, "requirement_id": part.requirement_id}


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
    next_undecided_id: int | None
    position: int
    total: int


def _following(ids: list[int], current: int, undecided: set[int] | None) -> int | None:
    """The requirement after the current one; among `undecided`, wrapping to the start."""
    index = ids.index(current)
    if undecided is None:
        return ids[index + 1] if index + 1 < len(ids) else None
    later = ids[index + 1 :] + ids[:index]
    return next((i for i in later if i in undecided), None)


def get_result(
    *, session: Session, principal: Principal, assessment_id: int, requirement_id: int
) -> ResultInOrder:
    """One requirement's result, with the scored assessment and the requirements around it."""
    assessment = find_assessment(session, principal, assessment_id)
    results = compute(session, assessment)
    ids = [r.requirement_id for r in results]
    if requirement_id not in ids:
        raise RequirementNotAssessed("Requirement not found in this assessment")
    index = ids.index(requirement_id)
    undecided = {r.requirement_id for r in results if r.override_status is None}
    return ResultInOrder(
        assessment=_summarise(assessment, results),
        result=with_work(session, assessment.id, [results[index]])[0],
        previous_id=ids[index - 1] if index > 0 else None,
        next_id=_following(ids, requirement_id, None),
        next_undecided_id=_following(ids, requirement_id, undecided),
        position=index + 1,
        total=len(results),
    )


def next_requirement(
    *,
    session: Session,
    principal: Principal,
    assessment_id: int,
    requirement_id: int,
    undecided: bool = False,
) -> int | None:
    """The assessable requirement after this one in the framework's order, None after the last.

    With `undecided`, the next one without a human verdict, continuing from the start.
    """
    assessment = find_assessment(session, principal, assessment_id)
    ids = order(session, assessment.framework_id)
    if requirement_id not in ids:
        raise RequirementNotAssessed("Requirement not found in this assessment")
    if not undecided:
        return _following(ids, requirement_id, None)
    open_ids = set(ids) - repo.decided_ids(session, assessment.id)
    return _following(ids, requirement_id, open_ids)


def get_assessment_with_results(
    *, session: Session, principal: Principal, assessment_id: int, query: ResultQuery
) -> tuple[AssessmentDetail, Page[ResultRead]]:
    """The scored assessment and one page of its results, computed once for both."""
    assessment = find_assessment(session, principal, assessment_id)
    results = _worked(session, assessment)
    return _summarise(assessment, results), _page(results, query, principal.user_id)
