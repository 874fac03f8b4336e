"""The comments and attachments sections of the risk and control pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.common.listing import MAX_LIMIT, Page
from aegis.domains.discussion import attachments, service
from aegis.domains.discussion.schemas import (
    AttachmentQuery,
    AttachmentRead,
    CommentQuery,
    CommentRead,
    Subject,
)

PAGES = {"risk": "/risks/{id}", "control": "/controls/{id}"}


def subject_page(subject: Subject) -> str:
    """The page of the risk or control."""
    return PAGES[subject.kind.value].format(id=subject.id)


@dataclass(frozen=True)
class Thread:
    """The comments on a risk or control, what the reader may do, and a refused comment."""

    url: str
    comments: Page[CommentRead]
    can_comment: bool
    deletable: frozenset[int]
    text: str = ""
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Files:
    """The files attached to a risk, what the reader may do, and a refused upload."""

    url: str
    attachments: Page[AttachmentRead]
    sizes: dict[int, str]
    can_attach: bool
    limit: str
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EvidenceUpload:
    """The form attaching a file to a control as evidence, with a refused upload's title."""

    url: str
    limit: str
    title: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _offset(request: Request) -> int:
    """The comment page asked for by the URL (other values show the first page)."""
    value = request.query_params.get("offset", "")
    return int(value) if value.isdigit() and len(value) < 10 else 0


def thread(
    request: Request,
    session: Session,
    principal: Principal,
    subject: Subject,
    unit_id: int,
    text: str = "",
    errors: dict[str, str] | None = None,
) -> Thread:
    """The comments section of a risk or control page, oldest comments first."""
    comments = service.list_comments(
        session=session,
        principal=principal,
        subject=subject,
        query=CommentQuery(offset=_offset(request)),
    )
    deletable = frozenset(
        c.id for c in comments.items if service.may_delete_comment(principal, unit_id, c.author_id)
    )
    return Thread(
        url=subject_page(subject) + "/comments",
        comments=comments,
        can_comment=unit_id in principal.writable,
        deletable=deletable,
        text=text,
        errors=errors or {},
    )


def files(
    request: Request,
    session: Session,
    principal: Principal,
    risk_id: int,
    unit_id: int,
    errors: dict[str, str] | None = None,
) -> Files:
    """The attachments section of a risk page."""
    page = attachments.list_attachments(
        session=session,
        principal=principal,
        risk_id=risk_id,
        query=AttachmentQuery(limit=MAX_LIMIT),
    )
    return Files(
        url=subject_page(Subject.risk(risk_id)) + "/attachments",
        attachments=page,
        sizes={a.id: attachments.readable_size(a.size) for a in page.items},
        can_attach=unit_id in principal.writable,
        limit=upload_limit(request),
        errors=errors or {},
    )


def upload_limit(request: Request) -> str:
    """The largest file people may upload, in words."""
    return attachments.readable_size(request.app.state.settings.max_upload_bytes)


def evidence_upload(
    request: Request, control_id: int, title: str = "", errors: dict[str, str] | None = None
) -> EvidenceUpload:
    """The form of a control page that attaches a file as evidence of the control."""
    url = subject_page(Subject.control(control_id)) + "/evidence"
    return EvidenceUpload(url, upload_limit(request), title, errors or {})
