"""Use cases of files attached to risks: upload, list, download and delete."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import PayloadTooLarge
from aegis.core.storage import LocalBlobStore
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.common.quotas import UploadQuota, check_quota
from aegis.domains.common.uploads import UploadKind, screen
from aegis.domains.common.uploads import readable_size as readable_size
from aegis.domains.discussion import repository as repo
from aegis.domains.discussion.errors import AttachmentNotFound
from aegis.domains.discussion.schemas import AttachmentQuery, AttachmentRead, Subject
from aegis.domains.discussion.service import subject_unit
from aegis.domains.evidence import service as evidence
from aegis.domains.evidence.schemas import Download, Upload
from aegis.domains.users import service as users
from aegis.models import RiskAttachment

FIELDS = ("risk_id", "filename", "content_type", "size", "sha256")
ENTITY = "risk_attachment"


def _read(session: Session, attachments: list[RiskAttachment]) -> list[AttachmentRead]:
    names = users.names_by_id(
        session=session,
        user_ids={a.uploaded_by_id for a in attachments if a.uploaded_by_id is not None},
    )
    return [
        AttachmentRead.model_validate(
            {
                **{f: getattr(a, f) for f in (*FIELDS, "id", "uploaded_by_id", "uploaded_at")},
                "uploaded_by_name": (
                    names.get(a.uploaded_by_id) if a.uploaded_by_id is not None else None
                ),
            }
        )
        for a in attachments
    ]


def list_attachments(
    *, session: Session, principal: Principal, risk_id: int, query: AttachmentQuery
) -> Page[AttachmentRead]:
    """The files attached to a risk the caller can see, oldest first."""
    subject_unit(session=session, principal=principal, subject=Subject.risk(risk_id))
    default = (RiskAttachment.uploaded_at, RiskAttachment.id)
    stmt = apply_sort(repo.attachments_of(risk_id), query.sort, repo.ATTACHMENT_SORTABLE, default)
    rows, total = fetch_page(session, stmt, query)
    return Page.of(_read(session, rows), total, query)


def _store(
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    upload: Upload,
    unit_id: int,
    max_bytes: int,
) -> evidence.StoredFile:
    """Scan and check the upload, then stream it into the store within the size limit."""
    try:
        screen(
            session=session,
            principal=principal,
            store=store,
            filename=upload.filename,
            stream=upload.stream,
            kind=UploadKind.ATTACHMENT,
            unit_id=unit_id,
            max_bytes=max_bytes,
        )
        return evidence.store_upload(session, store, upload, max_bytes)
    except PayloadTooLarge as exc:
        message = f"The file is larger than the limit of {readable_size(max_bytes)}"
        raise PayloadTooLarge(message, details=[{"field": "file", "message": message}]) from exc


def add_attachment(
    *,
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    risk_id: int,
    upload: Upload,
    max_bytes: int,
    quota: UploadQuota,
) -> AttachmentRead:
    """Attach a file to a risk of a unit the caller may change: checked, stored, recorded.

    A file that would take the uploader past their `quota` is refused before it is read.
    """
    unit_id = subject_unit(session=session, principal=principal, subject=Subject.risk(risk_id))
    principal.require_write(unit_id)
    check_quota(session, principal.user_id, quota, upload.stream)
    stored = _store(session, principal, store, upload, unit_id, max_bytes)
    try:
        with session.begin_nested():
            attachment = RiskAttachment(
                risk_id=risk_id,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.blob.size,
                sha256=stored.blob.sha256,
                storage_key=stored.blob.key,
                data_key=stored.blob.data_key,
                uploaded_by_id=principal.user_id,
            )
            session.add(attachment)
            session.flush()
            after = snapshot(attachment, FIELDS)
            record(session, principal, "create", ENTITY, attachment.id, unit_id, after=after)
    except BaseException:
        evidence.discard_upload(session, store, stored.blob.key)
        raise
    return _read(session, [attachment])[0]


def _get(session: Session, risk_id: int, attachment_id: int) -> RiskAttachment:
    attachment = repo.attachment(session, risk_id, attachment_id)
    if attachment is None:
        raise AttachmentNotFound("Attachment not found")
    return attachment


def download_attachment(
    *,
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    risk_id: int,
    attachment_id: int,
) -> Download:
    """An attached file's content with safe headers."""
    subject_unit(session=session, principal=principal, subject=Subject.risk(risk_id))
    attachment = _get(session, risk_id, attachment_id)
    return evidence.open_download(
        session,
        store,
        key=attachment.storage_key,
        data_key=attachment.data_key,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
    )


def _delete(
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    unit_id: int,
    attachments: list[RiskAttachment],
) -> None:
    """Delete attachment rows now and their files once the deletion is committed."""
    for attachment in attachments:
        before = snapshot(attachment, FIELDS)
        session.delete(attachment)
        record(session, principal, "delete", ENTITY, attachment.id, unit_id, before=before)
    session.flush()
    evidence.delete_files_after_commit(session, store, [a.storage_key for a in attachments])


def delete_attachment(
    *,
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    risk_id: int,
    attachment_id: int,
) -> None:
    """Remove a file from a risk of a unit the caller may change."""
    unit_id = subject_unit(session=session, principal=principal, subject=Subject.risk(risk_id))
    principal.require_write(unit_id)
    _delete(session, principal, store, unit_id, [_get(session, risk_id, attachment_id)])


def delete_all_attachments(
    *, session: Session, principal: Principal, store: LocalBlobStore, risk_id: int
) -> None:
    """Remove every file from a risk; called before the risk itself is deleted."""
    unit_id = subject_unit(session=session, principal=principal, subject=Subject.risk(risk_id))
    principal.require_write(unit_id)
    _delete(session, principal, store, unit_id, repo.all_attachments(session, risk_id))
