"""Upload quotas per user (AEGIS_UPLOAD_QUOTA_MB, AEGIS_UPLOAD_QUOTA_FILES) through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from aegis.core.settings import Settings
from aegis.models import AuditEvent, EvidenceVersion, RiskAttachment
from tests.conftest import World
from tests.factories.evidence import PDF
from tests.factories.risks import make_risk

MB = 1024 * 1024


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """A quota of 1 MB and 3 files per user."""
    return Settings(
        env="test",
        database_url=database_url,
        data_dir=tmp_path,
        max_upload_bytes=MB,
        upload_quota_mb=1,
        upload_quota_files=3,
    )


def _pdf(size: int) -> bytes:
    return PDF + b"%" * (size - len(PDF))


def _evidence(client: TestClient, headers, world: World, content: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/evidence",
        files={"file": ("scan.pdf", content, "application/pdf")},
        data={"title": "Scan", "unit_id": str(world.units["division-a"])},
        headers=headers,
    )


def _blobs(app) -> list[Path]:  # type: ignore[no-untyped-def]
    root = app.state.blob_store.root
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _written(db) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return (
        db.scalar(select(func.count()).select_from(EvidenceVersion)),
        db.scalar(select(func.count()).select_from(RiskAttachment)),
        db.scalar(select(func.count()).select_from(AuditEvent)),
    )


def test_uploads_under_the_quota_pass_and_the_one_past_it_is_refused_with_nothing_written(
    client: TestClient, app, db, world: World, token_for, principal_for
) -> None:
    headers = token_for("analyst")
    first = _evidence(client, headers, world, _pdf(400 * 1024))
    assert first.status_code == 201, first.text
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"])
    attached = client.post(
        f"/api/v1/risks/{risk.id}/attachments",
        files={"file": ("notes.pdf", _pdf(400 * 1024), "application/pdf")},
        headers=headers,
    )
    assert attached.status_code == 201, attached.text
    blobs, written = _blobs(app), _written(db)

    refused = _evidence(client, headers, world, _pdf(300 * 1024))

    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "upload_quota_exceeded"
    assert error["message"] == (
        "This file (300 KB) would take you past the upload quota of 1 MB per user (you have "
        "uploaded 800 KB); the file was not saved: remove files you no longer need, or ask an "
        "administrator to raise the quota"
    )
    assert error["details"] == [{"field": "file", "message": error["message"]}]
    version = client.post(
        f"/api/v1/evidence/{first.json()['id']}/versions",
        files={"file": ("scan-2.pdf", _pdf(300 * 1024), "application/pdf")},
        headers=headers,
    )
    assert version.status_code == 422
    assert version.json()["error"]["code"] == "upload_quota_exceeded"
    assert _blobs(app) == blobs and _written(db) == written
    assert _evidence(client, headers, world, _pdf(200 * 1024)).status_code == 201


def test_the_number_of_files_is_a_quota_too_and_other_users_are_unaffected(
    client: TestClient, app, world: World, token_for
) -> None:
    analyst = token_for("analyst")
    for size in (1000, 2000, 3000):
        assert _evidence(client, analyst, world, _pdf(size)).status_code == 201
    refused = _evidence(client, analyst, world, _pdf(4000))
    assert refused.status_code == 422
    assert refused.json()["error"]["message"].startswith(
        "You have uploaded 3 files, the quota of 3 files per user"
    )
    assert _evidence(client, token_for("admin"), world, _pdf(4000)).status_code == 201
