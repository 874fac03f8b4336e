"""Comments on risks and controls, and files attached to risks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile, status
from fastapi.responses import StreamingResponse

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.common.quotas import UploadQuota
from aegis.domains.discussion import attachments, service
from aegis.domains.discussion.schemas import (
    AttachmentQuery,
    AttachmentRead,
    CommentCreate,
    CommentQuery,
    CommentRead,
    Subject,
)
from aegis.domains.evidence.schemas import Upload
from aegis.http.deps import BlobStoreDep, CurrentPrincipal, SessionDep, SettingsDep
from aegis.http.downloads import attachment_response

router = APIRouter(tags=["comments and attachments"])
CommentPage = Annotated[CommentQuery, Query()]


@router.get("/risks/{risk_id}/comments", response_model=Page[CommentRead])
def list_risk_comments(
    risk_id: Id, session: SessionDep, principal: CurrentPrincipal, query: CommentPage
) -> Page[CommentRead]:
    """Comments on a risk, oldest first."""
    return service.list_comments(
        session=session, principal=principal, subject=Subject.risk(risk_id), query=query
    )


@router.post(
    "/risks/{risk_id}/comments", response_model=CommentRead, status_code=status.HTTP_201_CREATED
)
def add_risk_comment(
    risk_id: Id, body: CommentCreate, session: SessionDep, principal: CurrentPrincipal
) -> CommentRead:
    """Comment on a risk."""
    return service.add_comment(
        session=session, principal=principal, subject=Subject.risk(risk_id), data=body
    )


@router.delete("/risks/{risk_id}/comments/{comment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_risk_comment(
    risk_id: Id, comment_id: Id, session: SessionDep, principal: CurrentPrincipal
) -> None:
    """Delete one's own comment on a risk (administrators of its unit: any comment)."""
    service.delete_comment(
        session=session, principal=principal, subject=Subject.risk(risk_id), comment_id=comment_id
    )


@router.get("/controls/{control_id}/comments", response_model=Page[CommentRead])
def list_control_comments(
    control_id: Id, session: SessionDep, principal: CurrentPrincipal, query: CommentPage
) -> Page[CommentRead]:
    """Comments on a control, oldest first."""
    return service.list_comments(
        session=session, principal=principal, subject=Subject.control(control_id), query=query
    )


@router.post(
    "/controls/{control_id}/comments",
    response_model=CommentRead,
    status_code=status.HTTP_201_CREATED,
)
def add_control_comment(
    control_id: Id, body: CommentCreate, session: SessionDep, principal: CurrentPrincipal
) -> CommentRead:
    """Comment on a control."""
    return service.add_comment(
        session=session, principal=principal, subject=Subject.control(control_id), data=body
    )


@router.delete(
    "/controls/{control_id}/comments/{comment_id}", status_code=status.HTTP_204_NO_CONTENT
)
def delete_control_comment(
    control_id: Id, comment_id: Id, session: SessionDep, principal: CurrentPrincipal
) -> None:
    """Delete one's own comment on a control (administrators of its unit: any comment)."""
    service.delete_comment(
        session=session,
        principal=principal,
        subject=Subject.control(control_id),
        comment_id=comment_id,
    )


@router.get("/risks/{risk_id}/attachments", response_model=Page[AttachmentRead])
def list_risk_attachments(
    risk_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    query: Annotated[AttachmentQuery, Query()],
) -> Page[AttachmentRead]:
    """Files attached to a risk, oldest first (files of controls are evidence)."""
    return attachments.list_attachments(
        session=session, principal=principal, risk_id=risk_id, query=query
    )


@router.post(
    "/risks/{risk_id}/attachments",
    response_model=AttachmentRead,
    status_code=status.HTTP_201_CREATED,
)
def add_risk_attachment(
    risk_id: Id,
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    principal: CurrentPrincipal,
    store: BlobStoreDep,
    settings: SettingsDep,
) -> AttachmentRead:
    """Attach a file to a risk (multipart `file`); programs and unknown types are refused."""
    return attachments.add_attachment(
        session=session,
        principal=principal,
        store=store,
        risk_id=risk_id,
        upload=Upload(filename=file.filename or "", stream=file.file),
        max_bytes=settings.max_upload_bytes,
        quota=UploadQuota.of(settings),
    )


@router.get(
    "/risks/{risk_id}/attachments/{attachment_id}/download", response_class=StreamingResponse
)
def download_risk_attachment(
    risk_id: Id,
    attachment_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    store: BlobStoreDep,
) -> StreamingResponse:
    """A file attached to a risk, as a download."""
    download = attachments.download_attachment(
        session=session,
        principal=principal,
        store=store,
        risk_id=risk_id,
        attachment_id=attachment_id,
    )
    return attachment_response(download)


@router.delete(
    "/risks/{risk_id}/attachments/{attachment_id}", status_code=status.HTTP_204_NO_CONTENT
)
def delete_risk_attachment(
    risk_id: Id,
    attachment_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    store: BlobStoreDep,
) -> None:
    """Remove a file from a risk."""
    attachments.delete_attachment(
        session=session,
        principal=principal,
        store=store,
        risk_id=risk_id,
        attachment_id=attachment_id,
    )
