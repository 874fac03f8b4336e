"""Comments and auditor notes on an assessment or on one requirement within it.

Comments come from people who may change the assessment; auditor notes from anyone who can
read it (see `service.may_annotate`). Neither is edited, and neither changes the
assessment's version.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import PermissionDenied
from aegis.domains.assessments import repository as repo
from aegis.domains.assessments.errors import RequirementNotAssessed
from aegis.domains.assessments.schemas import (
    AssessmentCommentCreate,
    AssessmentCommentQuery,
    AssessmentCommentRead,
    CommentKind,
)
from aegis.domains.assessments.service import find_assessment, may_annotate
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.users import service as users
from aegis.models import Assessment
from aegis.models.assessment import AssessmentComment

FIELDS = ("assessment_id", "requirement_id", "kind", "author_id", "body")


def _found(
    session: Session, principal: Principal, assessment_id: int, requirement_id: int | None
) -> Assessment:
    """The assessment, and the requirement when one is named, in the caller's units."""
    assessment = find_assessment(session, principal, assessment_id)
    if requirement_id is not None and (
        repo.assessable_requirement(session, assessment.framework_id, requirement_id) is None
    ):
        raise RequirementNotAssessed("Requirement not found in this assessment")
    return assessment


def _read(session: Session, comments: list[AssessmentComment]) -> list[AssessmentCommentRead]:
    names = users.names_by_id(
        session=session, user_ids={c.author_id for c in comments if c.author_id is not None}
    )
    return [
        AssessmentCommentRead.model_validate(
            {
                **{f: getattr(c, f) for f in (*FIELDS, "id", "created_at")},
                "author_name": names.get(c.author_id) if c.author_id is not None else None,
            }
        )
        for c in comments
    ]


def list_comments(
    *,
    session: Session,
    principal: Principal,
    assessment_id: int,
    requirement_id: int | None = None,
    query: AssessmentCommentQuery,
) -> Page[AssessmentCommentRead]:
    """The comments and notes on an assessment (or one of its requirements), oldest first."""
    assessment = _found(session, principal, assessment_id, requirement_id)
    stmt = apply_sort(
        repo.comments_of(assessment.id, requirement_id, query.kind),
        query.sort,
        repo.COMMENT_SORTABLE,
        (AssessmentComment.created_at, AssessmentComment.id),
    )
    rows, total = fetch_page(session, stmt, query)
    return Page.of(_read(session, rows), total, query)


def comment_kind(principal: Principal, unit_id: int, asked: CommentKind | None) -> CommentKind:
    """The kind a remark is saved as; a comment needs the right to change the unit."""
    kind = asked or (
        CommentKind.COMMENT if unit_id in principal.writable else CommentKind.AUDITOR_NOTE
    )
    if kind == CommentKind.COMMENT:
        principal.require_write(unit_id)
    elif not may_annotate(principal, unit_id):
        raise PermissionDenied("You may not annotate assessments of this unit")
    return kind


def add_comment(
    *,
    session: Session,
    principal: Principal,
    assessment_id: int,
    requirement_id: int | None = None,
    data: AssessmentCommentCreate,
) -> AssessmentCommentRead:
    """Comment on an assessment or one of its requirements, or leave an auditor note."""
    assessment = _found(session, principal, assessment_id, requirement_id)
    kind = comment_kind(principal, assessment.unit_id, data.kind)
    comment = AssessmentComment(
        assessment_id=assessment.id,
        requirement_id=requirement_id,
        kind=kind.value,
        author_id=principal.user_id,
        body=data.body,
    )
    session.add(comment)
    session.flush()
    after = snapshot(comment, FIELDS)
    record(
        session,
        principal,
        "create",
        "assessment_comment",
        comment.id,
        assessment.unit_id,
        after=after,
    )
    return _read(session, [comment])[0]
