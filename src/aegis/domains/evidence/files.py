"""Use cases of evidence files: upload, new versions, version list and download."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from itertools import chain

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import Conflict, ValidationFailed
from aegis.core.storage import CHUNK_SIZE, LocalBlobStore, StoredBlob
from aegis.domains.common.changes import record, snapshot
from aegis.domains.evidence import blobs
from aegis.domains.evidence import repository as repo
from aegis.domains.evidence.content import (
    HEAD_BYTES,
    content_disposition,
    detect_content_type,
    safe_filename,
    servable_type,
)
from aegis.domains.evidence.errors import NotFileEvidence, VersionNotFound
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
from aegis.models import Evidence, EvidenceVersion
from aegis.models.enums import EvidenceKind

VERSION_FIELDS = ("evidence_id", "number", "filename", "content_type", "size", "sha256")


@dataclass(frozen=True)
class _Stored:
    """A blob written for an upload, with the name and type it will be served with."""

    blob: StoredBlob
    filename: str
    content_type: str


def _store(session: Session, store: LocalBlobStore, upload: Upload, max_bytes: int) -> _Stored:
    filename, head = safe_filename(upload.filename), bytearray()

    def chunks() -> Iterator[bytes]:
        for chunk in iter(partial(upload.stream.read, CHUNK_SIZE), b""):
            if len(head) < HEAD_BYTES:
                head.extend(chunk[: HEAD_BYTES - len(head)])
            yield chunk

    blob = store.put(chunks(), max_bytes=max_bytes)
    if blob.size == 0:
        store.delete(blob.key)
        raise ValidationFailed("The file is empty", field="file")
    blobs.written(session, store, blob.key)
    content_type = detect_content_type(filename, bytes(head), whole=blob.size <= len(head))
    return _Stored(blob, filename, content_type)


def _discard(session: Session, store: LocalBlobStore, key: str) -> None:
    store.delete(key)
    blobs.forget_written(session, key)


def _add_version(
    session: Session, principal: Principal, evidence: Evidence, stored: _Stored, number: int
) -> EvidenceVersion:
    version = EvidenceVersion(
        evidence_id=evidence.id,
        number=number,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.blob.size,
        sha256=stored.blob.sha256,
        storage_key=stored.blob.key,
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


def upload_evidence(
    *,
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    data: EvidenceFileCreate,
    upload: Upload,
    max_bytes: int,
) -> EvidenceRead:
    """Store a file as new evidence: checked first, then streamed, then recorded, or nothing."""
    principal.require_write(data.unit_id)
    check_references(session, principal, data)
    stored = _store(session, store, upload, max_bytes)
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
        _discard(session, store, stored.blob.key)
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
) -> EvidenceVersionRead:
    """Store a new version of file evidence."""
    evidence = get_visible(session, principal, evidence_id, lock=True)
    principal.require_write(evidence.unit_id)
    if evidence.kind != EvidenceKind.FILE:
        raise NotFileEvidence("Link evidence has no file versions")
    stored = _store(session, store, upload, max_bytes)
    try:
        with session.begin_nested():
            number = repo.next_number(session, evidence.id)
            version = _add_version(session, principal, evidence, stored, number)
            evidence.updated_at = version.uploaded_at
    except IntegrityError as exc:
        _discard(session, store, stored.blob.key)
        raise Conflict("Another version was uploaded at the same time; try again") from exc
    except BaseException:
        _discard(session, store, stored.blob.key)
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
    chunks = store.open_chunks(version.storage_key)
    first = next(chunks, b"")  # raises NotFound now rather than mid-response
    return Download(
        filename=version.filename,
        content_type=servable_type(version.content_type),
        content_disposition=content_disposition(version.filename),
        size=version.size,
        sha256=version.sha256,
        chunks=chain([first], chunks),
    )
