"""File evidence: streamed uploads, hashes, versions and nothing half-written on failure."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

from aegis.core.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ValidationFailed,
)
from aegis.domains.common.quotas import UploadQuota
from aegis.domains.evidence import files, service
from aegis.domains.evidence.errors import EvidenceNotFound, VersionNotFound
from aegis.domains.evidence.schemas import EvidenceFileCreate, Upload
from aegis.models import AuditEvent, Evidence, EvidenceVersion
from tests.domains.evidence.conftest import blob_files
from tests.factories.controls import make_control
from tests.factories.evidence import PDF, make_file, make_link


def _rows(db) -> tuple[int, int]:
    evidence = db.scalar(select(func.count()).select_from(Evidence))
    versions = db.scalar(select(func.count()).select_from(EvidenceVersion))
    return evidence, versions


def _upload(db, principal, store, unit_id, content: bytes, max_bytes=1024, **fields):
    return files.upload_evidence(
        session=db,
        principal=principal,
        store=store,
        data=EvidenceFileCreate(unit_id=unit_id, title="Scan", **fields),
        upload=Upload(filename="scan.txt", stream=io.BytesIO(content)),
        max_bytes=max_bytes,
        quota=UploadQuota(),
    )


def test_upload_stores_content_hash_size_and_first_version(db, world, principal_for, store):
    analyst = principal_for("analyst")
    control = make_control(db, analyst, world.units["division-a"])
    evidence = make_file(
        db, analyst, store, world.units["division-a"], control_ids=[control.id], filename="p.pdf"
    )
    assert evidence.kind == "file"
    assert evidence.control_ids == [control.id]
    assert evidence.version_count == 1
    version = evidence.latest_version
    assert version is not None
    assert (version.number, version.filename, version.content_type) == (
        1,
        "p.pdf",
        "application/pdf",
    )
    assert version.size == len(PDF)
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.uploaded_by_id == world.users["analyst"]
    [blob] = blob_files(store)
    assert PDF[:8] not in blob.read_bytes()  # encrypted at rest (tests/core/test_encryption_*)
    download = files.download(
        session=db, principal=analyst, store=store, evidence_id=evidence.id, number=1
    )
    assert b"".join(download.chunks) == PDF


def test_large_upload_is_streamed_in_chunks(db, world, principal_for, store):
    content = b"x" * (3 * 1024 * 1024 + 7)
    evidence = _upload(
        db, principal_for("analyst"), store, world.units["division-a"], content, max_bytes=4 << 20
    )
    assert evidence.latest_version.size == len(content)
    assert evidence.latest_version.sha256 == hashlib.sha256(content).hexdigest()


def test_upload_over_the_limit_leaves_no_blob_and_no_row(db, world, principal_for, store):
    with pytest.raises(PayloadTooLarge):
        _upload(db, principal_for("analyst"), store, world.units["division-a"], b"y" * 1025)
    assert blob_files(store) == []
    assert _rows(db) == (0, 0)


def test_empty_file_is_a_field_error(db, world, principal_for, store):
    with pytest.raises(ValidationFailed) as caught:
        _upload(db, principal_for("analyst"), store, world.units["division-a"], b"")
    assert caught.value.details[0]["field"] == "file"
    assert blob_files(store) == []
    assert _rows(db) == (0, 0)


def test_bad_references_and_permissions_are_checked_before_writing(db, world, principal_for, store):
    theirs = make_control(db, principal_for("analyst_b"), world.units["division-b"])
    with pytest.raises(ValidationFailed) as caught:
        _upload(
            db,
            principal_for("analyst"),
            store,
            world.units["division-a"],
            b"a",
            control_ids=[theirs.id],
        )
    assert caught.value.details[0]["field"] == "control_ids"
    with pytest.raises(ValidationFailed) as caught:
        _upload(
            db,
            principal_for("analyst"),
            store,
            world.units["division-a"],
            b"a",
            requirement_ids=[424242],
        )
    assert caught.value.details[0]["field"] == "requirement_ids"
    with pytest.raises(PermissionDenied):
        _upload(db, principal_for("readonly"), store, world.units["division-a"], b"a")
    assert blob_files(store) == []
    assert _rows(db) == (0, 0)


def test_a_database_failure_after_streaming_removes_the_blob(
    db, world, principal_for, store, monkeypatch
):
    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(files, "_add_version", broken)
    with pytest.raises(RuntimeError):
        _upload(db, principal_for("analyst"), store, world.units["division-a"], b"data")
    assert blob_files(store) == []
    assert _rows(db) == (0, 0)


def test_rolling_back_the_transaction_removes_new_blobs(db, world, principal_for, store):
    _upload(db, principal_for("analyst"), store, world.units["division-a"], b"data")
    assert len(blob_files(store)) == 1
    db.rollback()
    assert blob_files(store) == []
    assert _rows(db) == (0, 0)


def test_versions_are_numbered_and_the_newest_is_downloaded(db, world, principal_for, store):
    analyst = principal_for("analyst")
    evidence = make_file(db, analyst, store, world.units["division-a"])
    second = files.upload_version(
        session=db,
        principal=analyst,
        store=store,
        evidence_id=evidence.id,
        upload=Upload(filename="v2.pdf", stream=io.BytesIO(PDF + b"v2")),
        max_bytes=1024,
        quota=UploadQuota(),
    )
    assert second.number == 2
    listed = files.list_versions(session=db, principal=analyst, evidence_id=evidence.id)
    assert [v.number for v in listed] == [1, 2]
    latest = files.download(session=db, principal=analyst, store=store, evidence_id=evidence.id)
    assert b"".join(latest.chunks) == PDF + b"v2"
    first = files.download(
        session=db, principal=analyst, store=store, evidence_id=evidence.id, number=1
    )
    assert b"".join(first.chunks) == PDF
    with pytest.raises(VersionNotFound):
        files.download(
            session=db, principal=analyst, store=store, evidence_id=evidence.id, number=3
        )
    read = service.get_evidence(session=db, principal=analyst, evidence_id=evidence.id)
    assert read.version_count == 2
    assert read.latest_version.filename == "v2.pdf"


def test_links_have_no_versions(db, world, principal_for, store):
    analyst = principal_for("analyst")
    link = make_link(db, analyst, world.units["division-a"])
    with pytest.raises(Conflict):
        files.upload_version(
            session=db,
            principal=analyst,
            store=store,
            evidence_id=link.id,
            upload=Upload(filename="a.txt", stream=io.BytesIO(b"a")),
            max_bytes=10,
            quota=UploadQuota(),
        )
    assert blob_files(store) == []
    with pytest.raises(VersionNotFound):
        files.download(session=db, principal=analyst, store=store, evidence_id=link.id)
    assert files.list_versions(session=db, principal=analyst, evidence_id=link.id) == []


def test_a_missing_blob_is_not_found_before_streaming(db, world, principal_for, store):
    analyst = principal_for("analyst")
    evidence = make_file(db, analyst, store, world.units["division-a"])
    for blob in blob_files(store):
        blob.unlink()
    with pytest.raises(NotFound) as caught:
        files.download(session=db, principal=analyst, store=store, evidence_id=evidence.id)
    assert caught.value.message == "Blob not found"


def test_delete_removes_blobs_only_once_committed(db, world, principal_for, store):
    analyst = principal_for("analyst")
    evidence = make_file(db, analyst, store, world.units["division-a"])
    files.upload_version(
        session=db,
        principal=analyst,
        store=store,
        evidence_id=evidence.id,
        upload=Upload(filename="v2.txt", stream=io.BytesIO(b"two")),
        max_bytes=10,
        quota=UploadQuota(),
    )
    db.commit()
    service.delete_evidence(session=db, principal=analyst, store=store, evidence_id=evidence.id)
    assert len(blob_files(store)) == 2
    db.commit()
    assert blob_files(store) == []
    with pytest.raises(EvidenceNotFound):
        service.get_evidence(session=db, principal=analyst, evidence_id=evidence.id)


def test_a_rolled_back_delete_keeps_the_blobs(db, world, principal_for, store):
    analyst = principal_for("analyst")
    evidence = make_file(db, analyst, store, world.units["division-a"])
    db.commit()
    service.delete_evidence(session=db, principal=analyst, store=store, evidence_id=evidence.id)
    db.rollback()
    db.commit()
    assert len(blob_files(store)) == 1
    assert service.get_evidence(session=db, principal=analyst, evidence_id=evidence.id).id


def test_uploads_are_audited(db, world, principal_for, store):
    analyst = principal_for("analyst")
    evidence = make_file(db, analyst, store, world.units["division-a"])
    files.upload_version(
        session=db,
        principal=analyst,
        store=store,
        evidence_id=evidence.id,
        upload=Upload(filename="v2.txt", stream=io.BytesIO(b"two")),
        max_bytes=10,
        quota=UploadQuota(),
    )
    events = db.execute(
        select(AuditEvent.entity_type, AuditEvent.action, AuditEvent.changes).order_by(
            AuditEvent.id
        )
    ).all()
    kinds = [(t, a) for t, a, _ in events]
    assert kinds == [
        ("evidence", "create"),
        ("evidence_version", "create"),
        ("evidence_version", "create"),
    ]
    assert events[2][2]["number"] == [None, 2]
    assert events[1][2]["sha256"] == [None, hashlib.sha256(PDF).hexdigest()]
