"""Evidence: uploaded files (versioned) and links, and their downloads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse
from pydantic import ConfigDict

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.common.quotas import UploadQuota
from aegis.domains.evidence import files, service
from aegis.domains.evidence.schemas import (
    EvidenceFileCreate,
    EvidenceLinkCreate,
    EvidenceQuery,
    EvidenceRead,
    EvidenceUpdate,
    EvidenceVersionRead,
    Upload,
)
from aegis.http.deps import BlobStoreDep, CurrentPrincipal, SessionDep, SettingsDep
from aegis.http.downloads import attachment_response
from aegis.http.versions import IfMatch, expecting, tag

router = APIRouter(prefix="/evidence", tags=["evidence"])


class EvidenceUploadForm(EvidenceFileCreate):
    """The multipart form of a new file: `file` plus the evidence fields."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: UploadFile


def _upload(file: UploadFile) -> Upload:
    return Upload(filename=file.filename or "", stream=file.file)


@router.get("", response_model=Page[EvidenceRead])
def list_evidence(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[EvidenceQuery, Query()]
) -> Page[EvidenceRead]:
    """Evidence of the caller's units, filtered, sorted and paginated."""
    return service.list_evidence(session=session, principal=principal, query=query)


@router.post("", response_model=EvidenceRead, status_code=status.HTTP_201_CREATED)
def upload_evidence(
    form: Annotated[EvidenceUploadForm, Form(media_type="multipart/form-data")],
    session: SessionDep,
    principal: CurrentPrincipal,
    store: BlobStoreDep,
    settings: SettingsDep,
) -> EvidenceRead:
    """Upload a file as new evidence (multipart; ids comma-separated or repeated)."""
    data = EvidenceFileCreate.model_validate(form.model_dump(exclude={"file"}))
    return files.upload_evidence(
        session=session,
        principal=principal,
        store=store,
        data=data,
        upload=_upload(form.file),
        max_bytes=settings.max_upload_bytes,
        quota=UploadQuota.of(settings),
    )


@router.post("/links", response_model=EvidenceRead, status_code=status.HTTP_201_CREATED)
def create_link(
    body: EvidenceLinkCreate, session: SessionDep, principal: CurrentPrincipal
) -> EvidenceRead:
    """Add evidence kept elsewhere, by http(s) URL."""
    return service.create_link(session=session, principal=principal, data=body)


@router.get("/{evidence_id}", response_model=EvidenceRead)
def get_evidence(
    evidence_id: Id, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> EvidenceRead:
    """One evidence item."""
    item = service.get_evidence(session=session, principal=principal, evidence_id=evidence_id)
    tag(response, item.version)
    return item


@router.patch("/{evidence_id}", response_model=EvidenceRead)
def update_evidence(
    evidence_id: Id,
    body: EvidenceUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: IfMatch,
) -> EvidenceRead:
    """Change evidence metadata, links or (for links) the URL."""
    item = service.update_evidence(
        session=session,
        principal=principal,
        evidence_id=evidence_id,
        data=expecting(body, version),
    )
    tag(response, item.version)
    return item


@router.delete("/{evidence_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_evidence(
    evidence_id: Id, session: SessionDep, principal: CurrentPrincipal, store: BlobStoreDep
) -> None:
    """Delete evidence with every version of its file."""
    service.delete_evidence(
        session=session, principal=principal, store=store, evidence_id=evidence_id
    )


@router.get("/{evidence_id}/versions", response_model=list[EvidenceVersionRead])
def list_versions(
    evidence_id: Id, session: SessionDep, principal: CurrentPrincipal
) -> list[EvidenceVersionRead]:
    """Every version of an evidence file, oldest first."""
    return files.list_versions(session=session, principal=principal, evidence_id=evidence_id)


@router.post(
    "/{evidence_id}/versions",
    response_model=EvidenceVersionRead,
    status_code=status.HTTP_201_CREATED,
)
def upload_version(
    evidence_id: Id,
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    principal: CurrentPrincipal,
    store: BlobStoreDep,
    settings: SettingsDep,
) -> EvidenceVersionRead:
    """Upload a new version of an evidence file."""
    return files.upload_version(
        session=session,
        principal=principal,
        store=store,
        evidence_id=evidence_id,
        upload=_upload(file),
        max_bytes=settings.max_upload_bytes,
        quota=UploadQuota.of(settings),
    )


@router.get("/{evidence_id}/download", response_class=StreamingResponse)
def download_latest(
    evidence_id: Id, session: SessionDep, principal: CurrentPrincipal, store: BlobStoreDep
) -> StreamingResponse:
    """The newest version of an evidence file, as an attachment."""
    return attachment_response(
        files.download(session=session, principal=principal, store=store, evidence_id=evidence_id)
    )


@router.get("/{evidence_id}/versions/{number}/download", response_class=StreamingResponse)
def download_version(
    evidence_id: Id,
    number: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    store: BlobStoreDep,
) -> StreamingResponse:
    """One version of an evidence file, as an attachment."""
    download = files.download(
        session=session, principal=principal, store=store, evidence_id=evidence_id, number=number
    )
    return attachment_response(download)
