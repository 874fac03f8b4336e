"""Compliance assessments, their requirement results, overrides, owners and comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from aegis.domains.assessments import comments, service, work
from aegis.domains.assessments.schemas import (
    AssessmentCommentCreate,
    AssessmentCommentQuery,
    AssessmentCommentRead,
    AssessmentCreate,
    AssessmentDetail,
    AssessmentQuery,
    AssessmentRead,
    AssessmentUpdate,
    BulkOverrideWrite,
    OverrideWrite,
    OwnerWrite,
    ResultQuery,
    ResultRead,
)
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.versions import IfMatch, expecting, tag

router = APIRouter(prefix="/assessments", tags=["assessments"])


@router.get("", response_model=Page[AssessmentRead])
def list_assessments(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[AssessmentQuery, Query()]
) -> Page[AssessmentRead]:
    """Assessments of the caller's units, filtered, sorted and paginated."""
    return service.list_assessments(session=session, principal=principal, query=query)


@router.post("", response_model=AssessmentDetail, status_code=status.HTTP_201_CREATED)
def create_assessment(
    body: AssessmentCreate, session: SessionDep, principal: CurrentPrincipal
) -> AssessmentDetail:
    """Start an assessment of a framework for a unit."""
    return service.create_assessment(session=session, principal=principal, data=body)


@router.get("/{assessment_id}", response_model=AssessmentDetail)
def get_assessment(
    assessment_id: Id, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> AssessmentDetail:
    """One assessment with its compliance score and result counts."""
    item = service.get_assessment(session=session, principal=principal, assessment_id=assessment_id)
    tag(response, item.version)
    return item


@router.patch("/{assessment_id}", response_model=AssessmentDetail)
def update_assessment(
    assessment_id: Id,
    body: AssessmentUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: IfMatch,
) -> AssessmentDetail:
    """Change an assessment."""
    item = service.update_assessment(
        session=session,
        principal=principal,
        assessment_id=assessment_id,
        data=expecting(body, version),
    )
    tag(response, item.version)
    return item


@router.delete("/{assessment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_assessment(assessment_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Delete an assessment."""
    service.delete_assessment(session=session, principal=principal, assessment_id=assessment_id)


@router.get("/{assessment_id}/results", response_model=Page[ResultRead])
def list_results(
    assessment_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    query: Annotated[ResultQuery, Query()],
) -> Page[ResultRead]:
    """Each assessable requirement's derived, overridden and effective result."""
    return service.list_results(
        session=session, principal=principal, assessment_id=assessment_id, query=query
    )


@router.put("/{assessment_id}/results/{requirement_id}", response_model=ResultRead)
def set_override(
    assessment_id: Id,
    requirement_id: Id,
    body: OverrideWrite,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ResultRead:
    """Override a requirement's result, with a justification."""
    return service.set_override(
        session=session,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
        data=body,
    )


@router.delete("/{assessment_id}/results/{requirement_id}", status_code=status.HTTP_204_NO_CONTENT)
def clear_override(
    assessment_id: Id, requirement_id: Id, session: SessionDep, principal: CurrentPrincipal
) -> None:
    """Remove the override of a requirement's result."""
    service.clear_override(
        session=session,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
    )


@router.patch("/{assessment_id}/results", response_model=list[ResultRead])
def set_overrides(
    assessment_id: Id, body: BulkOverrideWrite, session: SessionDep, principal: CurrentPrincipal
) -> list[ResultRead]:
    """Override several requirements' results with one result and justification, all or none."""
    return work.set_overrides(
        session=session, principal=principal, assessment_id=assessment_id, data=body
    )


@router.put("/{assessment_id}/results/{requirement_id}/owner", response_model=ResultRead)
def set_owner(
    assessment_id: Id,
    requirement_id: Id,
    body: OwnerWrite,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ResultRead:
    """Name who is responsible for answering a requirement (null: nobody)."""
    return work.set_owner(
        session=session,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
        data=body,
    )


@router.get("/{assessment_id}/comments", response_model=Page[AssessmentCommentRead])
def list_comments(
    assessment_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    query: Annotated[AssessmentCommentQuery, Query()],
) -> Page[AssessmentCommentRead]:
    """Comments and auditor notes on the assessment as a whole, oldest first."""
    return comments.list_comments(
        session=session, principal=principal, assessment_id=assessment_id, query=query
    )


@router.post(
    "/{assessment_id}/comments",
    response_model=AssessmentCommentRead,
    status_code=status.HTTP_201_CREATED,
)
def add_comment(
    assessment_id: Id,
    body: AssessmentCommentCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> AssessmentCommentRead:
    """Comment on the assessment, or, as anyone who can read it, leave an auditor note."""
    return comments.add_comment(
        session=session, principal=principal, assessment_id=assessment_id, data=body
    )


@router.get(
    "/{assessment_id}/results/{requirement_id}/comments",
    response_model=Page[AssessmentCommentRead],
)
def list_requirement_comments(
    assessment_id: Id,
    requirement_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    query: Annotated[AssessmentCommentQuery, Query()],
) -> Page[AssessmentCommentRead]:
    """Comments and auditor notes on one requirement of the assessment, oldest first."""
    return comments.list_comments(
        session=session,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
        query=query,
    )


@router.post(
    "/{assessment_id}/results/{requirement_id}/comments",
    response_model=AssessmentCommentRead,
    status_code=status.HTTP_201_CREATED,
)
def add_requirement_comment(
    assessment_id: Id,
    requirement_id: Id,
    body: AssessmentCommentCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> AssessmentCommentRead:
    """Comment on one requirement of the assessment, or leave an auditor note on it."""
    return comments.add_comment(
        session=session,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
        data=body,
    )
