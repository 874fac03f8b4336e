"""Use cases of comments on risks and controls; attached files are in `attachments`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import PermissionDenied
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.controls.errors import ControlNotFound
from aegis.domains.discussion import repository as repo
from aegis.domains.discussion.errors import CommentNotFound
from aegis.domains.discussion.schemas import (
    CommentCreate,
    CommentQuery,
    CommentRead,
    Subject,
    SubjectKind,
)
from aegis.domains.risks.errors import RiskNotFound
from aegis.domains.users import service as users
from aegis.models import Comment

COMMENT_FIELDS = ("risk_id", "control_id", "author_id", "body")
SUBJECT_FIELDS = {SubjectKind.RISK: "risk_id", SubjectKind.CONTROL: "control_id"}


def subject_unit(*, session: Session, principal: Principal, subject: Subject) -> int:
    """The unit of a risk or control of the caller's units; others are not found."""
    unit_id = repo.subject_unit(session, principal.readable, subject)
    if unit_id is None:
        if subject.kind == SubjectKind.RISK:
            raise RiskNotFound("Risk not found")
        raise ControlNotFound("Control not found")
    return unit_id


def _entity(subject: Subject) -> str:
    """How the audit trail names comments on this kind of object: risk_comment, ..."""
    return f"{subject.kind.value}_comment"


def _read(session: Session, comments: list[Comment]) -> list[CommentRead]:
    names = users.names_by_id(
        session=session, user_ids={c.author_id for c in comments if c.author_id is not None}
    )
    return [
        CommentRead.model_validate(
            {
                **{f: getattr(c, f) for f in (*COMMENT_FIELDS, "id", "created_at")},
                "author_name": names.get(c.author_id) if c.author_id is not None else None,
            }
        )
        for c in comments
    ]


def list_comments(
    *, session: Session, principal: Principal, subject: Subject, query: CommentQuery
) -> Page[CommentRead]:
    """The comments on a risk or control the caller can see, oldest first."""
    subject_unit(session=session, principal=principal, subject=subject)
    default = (Comment.created_at, Comment.id)
    stmt = apply_sort(repo.comments_of(subject), query.sort, repo.COMMENT_SORTABLE, default)
    rows, total = fetch_page(session, stmt, query)
    return Page.of(_read(session, rows), total, query)


def add_comment(
    *, session: Session, principal: Principal, subject: Subject, data: CommentCreate
) -> CommentRead:
    """Comment on a risk or control of a unit the caller may change; comments are never edited."""
    unit_id = subject_unit(session=session, principal=principal, subject=subject)
    principal.require_write(unit_id)
    fields = {SUBJECT_FIELDS[subject.kind]: subject.id}
    comment = Comment(**fields, author_id=principal.user_id, body=data.body)
    session.add(comment)
    session.flush()
    after = snapshot(comment, COMMENT_FIELDS)
    record(session, principal, "create", _entity(subject), comment.id, unit_id, after=after)
    return _read(session, [comment])[0]


def may_delete_comment(principal: Principal, unit_id: int, author_id: int | None) -> bool:
    """Authors who may still change the unit delete their own comments; its administrators any."""
    if unit_id in principal.administrable:
        return True
    return unit_id in principal.writable and author_id == principal.user_id


def delete_comment(
    *, session: Session, principal: Principal, subject: Subject, comment_id: int
) -> None:
    """Delete a comment: one's own, or any as an administrator of the unit."""
    unit_id = subject_unit(session=session, principal=principal, subject=subject)
    principal.require_write(unit_id)
    comment = repo.comment(session, subject, comment_id)
    if comment is None:
        raise CommentNotFound("Comment not found")
    if not may_delete_comment(principal, unit_id, comment.author_id):
        raise PermissionDenied("Only its author or an administrator may delete a comment")
    before = snapshot(comment, COMMENT_FIELDS)
    session.delete(comment)
    session.flush()
    record(session, principal, "delete", _entity(subject), comment_id, unit_id, before=before)
