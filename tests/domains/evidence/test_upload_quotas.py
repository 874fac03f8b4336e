"""Upload quotas: evidence files and risk attachments count against their uploader only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aegis.core.settings import Settings
from aegis.core.storage import LocalBlobStore
from aegis.domains.common.quotas import UploadQuota, UploadQuotaExceeded, usage_of
from aegis.models import AuditEvent, EvidenceVersion, RiskAttachment
from tests.conftest import World
from tests.domains.evidence.conftest import blob_files
from tests.factories.discussion import make_attachment
from tests.factories.evidence import PDF, make_file
from tests.factories.risks import make_risk

KB = 1024


def _pdf(size: int) -> bytes:
    return PDF + b"%" * (size - len(PDF))


def _rows(db) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return (
        db.scalar(select(func.count()).select_from(EvidenceVersion)),
        db.scalar(select(func.count()).select_from(RiskAttachment)),
        db.scalar(select(func.count()).select_from(AuditEvent)),
    )


def test_files_under_the_quota_pass_and_the_one_past_it_is_refused_unwritten(
    db, world: World, principal_for, store: LocalBlobStore
) -> None:
    analyst, unit = principal_for("analyst"), world.units["division-a"]
    quota = UploadQuota(max_bytes=100 * KB, max_files=0)
    make_file(db, analyst, store, unit, _pdf(40 * KB), quota=quota)
    risk = make_risk(db, analyst, unit)
    make_attachment(db, analyst, store, risk.id, _pdf(40 * KB), quota=quota)
    assert usage_of(db, analyst.user_id).size == 80 * KB
    before, files = _rows(db), blob_files(store)

    with pytest.raises(UploadQuotaExceeded) as refused:
        make_file(db, analyst, store, unit, _pdf(30 * KB), quota=quota)
    assert refused.value.message == (
        "This file (30 KB) would take you past the upload quota of 100 KB per user (you have "
        "uploaded 80 KB); the file was not saved: remove files you no longer need, or ask an "
        "administrator to raise the quota"
    )
    assert refused.value.details == [{"field": "file", "message": refused.value.message}]
    with pytest.raises(UploadQuotaExceeded):
        make_attachment(db, analyst, store, risk.id, _pdf(30 * KB), quota=quota)
    assert _rows(db) == before and blob_files(store) == files
    make_file(db, analyst, store, unit, _pdf(20 * KB), quota=quota)  # exactly up to it


def test_the_number_of_files_is_limited_too(
    db, world: World, principal_for, store: LocalBlobStore
) -> None:
    analyst, unit = principal_for("analyst"), world.units["division-a"]
    quota = UploadQuota(max_bytes=0, max_files=2)
    make_file(db, analyst, store, unit, quota=quota)
    make_file(db, analyst, store, unit, _pdf(2 * KB), quota=quota)
    with pytest.raises(UploadQuotaExceeded, match="You have uploaded 2 files, the quota of 2"):
        make_file(db, analyst, store, unit, _pdf(3 * KB), quota=quota)
    assert db.scalar(select(func.count()).select_from(EvidenceVersion)) == 2


def test_other_users_are_unaffected_and_zero_means_no_quota(
    db, world: World, principal_for, store: LocalBlobStore
) -> None:
    quota = UploadQuota(max_bytes=0, max_files=1)
    make_file(db, principal_for("analyst"), store, world.units["division-a"], quota=quota)
    with pytest.raises(UploadQuotaExceeded):
        make_file(db, principal_for("analyst"), store, world.units["division-a"], quota=quota)
    make_file(db, principal_for("admin"), store, world.units["division-a"], quota=quota)
    make_file(db, principal_for("analyst_b"), store, world.units["division-b"], quota=quota)
    for _ in range(3):
        make_file(
            db, principal_for("analyst"), store, world.units["division-a"], quota=UploadQuota()
        )


def test_the_quota_is_checked_before_the_file_is_read(
    db, world: World, principal_for, store: LocalBlobStore
) -> None:
    quota = UploadQuota(max_bytes=0, max_files=1)
    analyst = principal_for("analyst")
    make_file(db, analyst, store, world.units["division-a"], quota=quota)
    program = b"MZ" + bytes(200)  # its type would be refused, were it read
    with pytest.raises(UploadQuotaExceeded):
        make_file(db, analyst, store, world.units["division-a"], program, "x.exe", quota=quota)


def test_the_settings_give_generous_defaults() -> None:
    quota = UploadQuota.of(Settings(env="test"))
    assert quota == UploadQuota(max_bytes=10_240 * 1024 * 1024, max_files=10_000)
    assert UploadQuota.of(Settings(env="test", upload_quota_mb=0, upload_quota_files=0)) == (
        UploadQuota()
    )
