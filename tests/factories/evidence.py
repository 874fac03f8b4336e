"""Evidence builders."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.storage import LocalBlobStore
from aegis.domains.common.quotas import UploadQuota
from aegis.domains.evidence import files, service
from aegis.domains.evidence.schemas import (
    EvidenceFileCreate,
    EvidenceLinkCreate,
    EvidenceRead,
    Upload,
)

PDF = b"%PDF-1.7\n% test document\n"


def make_link(db: Session, principal: Principal, unit_id: int, **fields: Any) -> EvidenceRead:
    """Create link evidence in a unit."""
    data = {"unit_id": unit_id, "title": "Wiki page", "url": "https://wiki.example/p", **fields}
    return service.create_link(session=db, principal=principal, data=EvidenceLinkCreate(**data))


def make_file(
    db: Session,
    principal: Principal,
    store: LocalBlobStore,
    unit_id: int,
    content: bytes = PDF,
    filename: str = "policy.pdf",
    quota: UploadQuota = UploadQuota(),
    **fields: Any,
) -> EvidenceRead:
    """Upload file evidence in a unit (default: a small PDF)."""
    data = EvidenceFileCreate(**{"unit_id": unit_id, "title": "Policy", **fields})
    return files.upload_evidence(
        session=db,
        principal=principal,
        store=store,
        data=data,
        upload=Upload(filename=filename, stream=io.BytesIO(content)),
        max_bytes=1024 * 1024,
        quota=quota,
    )
