"""Use cases of evidence files: upload, new versions, version list and download."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import Conflict
from aegis.core.storage import LocalBlobStore
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.quotas import UploadQuota, check_quota
from aegis.domains.common.uploads import UploadKind, screen
from aegis.domains.evidence import repository as repo
from aegis.domains.evidence.errors import NotFileEvidence, SameAsLatestVersion, VersionNotFound
from aegis.domains.evidence.schemas import (
    Download,
    EvidenceFileCreate,
    EvidenceRead,
    EvidenceVersionRead,
    Upload,
)
from aegis.domains.evidence.service import (
    add_evidence,
    audit_view,
    check_references,
    get_evidence,
    get_visible,
)
from aegis.domains.evidence.uploads import StoredFile, discard_upload, open_download, store_upload
from aegis.models import Evidence, EvidenceVersion
from aegis.models.enums import EvidenceKind

VERSION_FIELDS = ("evidence_id", "number", "filename", "content_type", "size", "sha256")


def _add_version(
    session: Session, principal: Principal, evidence: Evidence, stored: StoredFile, number: int
) -> EvidenceVersion:
    version = EvidenceVersion(
        evidence_id=evidence.id,
        number=number,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.blob.size,
        sha256=stored.blob.sha256,
        storage_key=stored.blob.key,
        data_key=stored.blob.data_key,
        uploaded_by_id=principal.user_id,
    )
    session.add(version)
    session.flush()
    record(
        session,
        principal,
        "create",
        "evidence_version",
        version.id,
        evidence.unit_id,
        after=snapshot(version, VERSION_FIELDS),
    )
    return version


def _screen(
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    upload: Upload,
    unit_id: int,
    max_bytes: int,
) -> None:
    """Scan the file and check its type before anything of it is stored."""
    screen(
        session=session,
        principal=principal,
        store=store,
        filename=upload.filename,
        stream=upload.stream,
        kind=UploadKind.EVIDENCE,
        unit_id=unit_id,
        max_bytes=max_bytes,
    )


def upload_evidence(
    *,
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    data: EvidenceFileCreate,
    upload: Upload,
    max_bytes: int,
    quota: UploadQuota,
) -> EvidenceRead:
    """Store a file as new evidence: checked first, then streamed, then recorded, or nothing.

    A file that would take the uploader past their `quota` is refused before it is read.
    """
    principal.require_write(data.unit_id)
    check_references(session, principal, data)
    check_quota(session, principal.user_id, quota, upload.stream)
    _screen(session, principal, store, upload, data.unit_id, max_bytes)
    stored = store_upload(session, store, upload, max_bytes)
    try:
        with session.begin_nested():
            evidence = add_evidence(session, principal, data, EvidenceKind.FILE)
            record(
                session,
                principal,
                "create",
                "evidence",
                evidence.id,
                evidence.unit_id,
                after=audit_view(session, evidence),
            )
            _add_version(session, principal, evidence, stored, 1)
    except BaseException:
        discard_upload(session, store, stored.blob.key)
        raise
    return get_evidence(session=session, principal=principal, evidence_id=evidence.id)


def upload_version(
    *,
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    evidence_id: int,
    upload: Upload,
    max_bytes: int,
    quota: UploadQuota,
) -> EvidenceVersionRead:
    """Store a new version of file evidence (within the uploader's `quota`)."""
    evidence = get_visible(session, principal, evidence_id, lock=True)
    principal.require_write(evidence.unit_id)
    if evidence.kind != EvidenceKind.FILE:
        raise NotFileEvidence("Link evidence has no file versions")
    check_quota(session, principal.user_id, quota, upload.stream)
    _screen(session, principal, store, upload, evidence.unit_id, max_bytes)
    stored = store_upload(session, store, upload, max_bytes)
    latest = repo.version(session, evidence.id, None)
    if latest is not None and latest.sha256 == stored.blob.sha256:
        discard_upload(session, store, stored.blob.key)
        message = f"This file is identical to version {latest.number}; no new version was added"
        raise SameAsLatestVersion(message, details=[{"field": "file", "message": message}])
    try:
        with session.begin_nested():
            number = repo.next_number(session, evidence.id)
            version = _add_version(session, principal, evidence, stored, number)
            evidence.updated_at = version.uploaded_at
    except IntegrityError as exc:
        discard_upload(session, store, stored.blob.key)
        raise Conflict("Another version was uploaded at the same time; try again") from exc
    except BaseException:
        discard_upload(session, store, stored.blob.key)
        raise
    return EvidenceVersionRead.model_validate(version)


def list_versions(
    *, session: Session, principal: Principal, evidence_id: int
) -> list[EvidenceVersionRead]:
    """Every version of an evidence item, oldest first (none for links)."""
    evidence = get_visible(session, principal, evidence_id)
    return [EvidenceVersionRead.model_validate(v) for v in repo.versions(session, evidence.id)]


def download(
    *,
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    evidence_id: int,
    number: int | None = None,
) -> Download:
    """A version's content with safe headers; the newest version when number is None."""
    evidence = get_visible(session, principal, evidence_id)
    if evidence.kind != EvidenceKind.FILE:
        raise VersionNotFound("Link evidence has no file to download")
    version = repo.version(session, evidence.id, number)
    if version is None:
        raise VersionNotFound("Version not found")
    return open_download(
        session,
        store,
        key=version.storage_key,
        data_key=version.data_key,
        filename=version.filename,
        content_type=version.content_type,
        size=version.size,
        sha256=version.sha256,
    )
