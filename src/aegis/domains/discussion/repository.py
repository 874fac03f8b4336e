"""Queries of the discussion domain; the risk or control is looked up in the caller's units."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.domains.discussion.schemas import Subject, SubjectKind
from aegis.models import Comment, Control, Risk, RiskAttachment

OWNERS: dict[SubjectKind, Any] = {SubjectKind.RISK: Risk, SubjectKind.CONTROL: Control}
COMMENT_SUBJECTS: dict[SubjectKind, Any] = {
    SubjectKind.RISK: Comment.risk_id,
    SubjectKind.CONTROL: Comment.control_id,
}
COMMENT_SORTABLE: dict[str, Any] = {"created_at": Comment.created_at, "id": Comment.id}
ATTACHMENT_SORTABLE: dict[str, Any] = {
    "filename": RiskAttachment.filename,
    "size": RiskAttachment.size,
    "uploaded_at": RiskAttachment.uploaded_at,
    "id": RiskAttachment.id,
}


def subject_unit(session: Session, units: frozenset[int], subject: Subject) -> int | None:
    """The unit of the risk or control, None when it is not in these units."""
    owner = OWNERS[subject.kind]
    stmt = select(owner.unit_id).where(owner.id == subject.id, in_units(owner.unit_id, units))
    unit_id: int | None = session.scalar(stmt)
    return unit_id


def comments_of(subject: Subject) -> Select[Comment]:
    """The comments on one risk or control."""
    return select(Comment).where(COMMENT_SUBJECTS[subject.kind] == subject.id)


def comment(session: Session, subject: Subject, comment_id: int) -> Comment | None:
    """One comment on this risk or control."""
    return session.scalar(comments_of(subject).where(Comment.id == comment_id))


def attachments_of(risk_id: int) -> Select[RiskAttachment]:
    """The files attached to one risk."""
    return select(RiskAttachment).where(RiskAttachment.risk_id == risk_id)


def attachment(session: Session, risk_id: int, attachment_id: int) -> RiskAttachment | None:
    """One file attached to this risk."""
    return session.scalar(attachments_of(risk_id).where(RiskAttachment.id == attachment_id))


def all_attachments(session: Session, risk_id: int) -> list[RiskAttachment]:
    """Every file attached to this risk."""
    return list(session.scalars(attachments_of(risk_id).order_by(RiskAttachment.id)))
