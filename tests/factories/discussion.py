"""Comment and attachment builders."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.storage import LocalBlobStore
from aegis.domains.common.quotas import UploadQuota
from aegis.domains.discussion import attachments, service
from aegis.domains.discussion.schemas import AttachmentRead, CommentCreate, CommentRead, Subject
from aegis.domains.evidence.schemas import Upload
from tests.factories.evidence import PDF


def make_comment(db: Session, principal: Principal, subject: Subject, body: str) -> CommentRead:
    """Comment on a risk or a control."""
    return service.add_comment(
        session=db, principal=principal, subject=subject, data=CommentCreate(body=body)
    )


def make_attachment(
    db: Session,
    principal: Principal,
    store: LocalBlobStore,
    risk_id: int,
    content: bytes = PDF,
    filename: str = "assessment.pdf",
    quota: UploadQuota = UploadQuota(),
) -> AttachmentRead:
    """Attach a file to a risk (default: a small PDF)."""
    return attachments.add_attachment(
        session=db,
        principal=principal,
        store=store,
        risk_id=risk_id,
        upload=Upload(filename=filename, stream=io.BytesIO(content)),
        max_bytes=1024 * 1024,
        quota=quota,
    )
