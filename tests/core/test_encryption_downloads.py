"""Through the API: files are encrypted on disk and downloaded byte for byte as uploaded."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from aegis.core.settings import Settings
from aegis.models import EvidenceVersion, RiskAttachment
from tests.factories.evidence import PDF
from tests.factories.risks import make_risk

BIG = PDF + os.urandom(2 * 1024 * 1024 + 4321)  # three chunks of the store


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings allowing an upload of several chunks."""
    return Settings(
        env="test", database_url=database_url, data_dir=tmp_path, max_upload_bytes=4 * 1024 * 1024
    )


def _disk(app) -> list[bytes]:
    root = app.state.blob_store.root
    return [p.read_bytes() for p in root.rglob("*") if p.is_file()]


def _upload(client, headers, world, content: bytes) -> dict:
    response = client.post(
        "/api/v1/evidence",
        files={"file": ("report.pdf", content, "application/pdf")},
        data={"title": "Report", "unit_id": str(world.units["division-a"])},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_multi_chunk_file_is_encrypted_on_disk_and_downloads_identical(
    app, client, world, token_for, db
) -> None:
    headers = token_for("analyst")
    evidence = _upload(client, headers, world, BIG)
    assert evidence["latest_version"]["sha256"] == hashlib.sha256(BIG).hexdigest()
    [stored] = _disk(app)
    assert BIG[:4096] not in stored and BIG[-4096:] not in stored
    version = db.scalar(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == evidence["id"])
    )
    assert version is not None and version.data_key is not None
    assert version.data_key.startswith("aegis1:")
    response = client.get(
        f"/api/v1/evidence/{evidence['id']}/download",
        headers={**headers, "Accept-Encoding": "identity"},
    )
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(BIG))
    assert response.headers["etag"] == f'"{hashlib.sha256(BIG).hexdigest()}"'
    assert response.content == BIG


def test_a_file_stored_before_encryption_still_downloads(app, client, world, token_for, db):
    headers = token_for("analyst")
    evidence = _upload(client, headers, world, PDF)
    version = db.scalar(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == evidence["id"])
    )
    assert version is not None
    plain = app.state.blob_store.put([PDF], max_bytes=len(PDF))
    app.state.blob_store.delete(version.storage_key)
    version.storage_key, version.data_key = plain.key, None
    db.commit()
    response = client.get(f"/api/v1/evidence/{evidence['id']}/download", headers=headers)
    assert (response.status_code, response.content) == (200, PDF)


def test_a_risk_attachment_is_encrypted_too(app, client, world, token_for, db, principal_for):
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"])
    db.commit()
    url, headers = f"/api/v1/risks/{risk.id}/attachments", token_for("analyst")
    created = client.post(url, files={"file": ("a.pdf", PDF, "application/pdf")}, headers=headers)
    assert created.status_code == 201, created.text
    [stored] = _disk(app)
    assert PDF[:8] not in stored
    attachment = db.get(RiskAttachment, created.json()["id"])
    assert attachment is not None and attachment.data_key is not None
    response = client.get(f"{url}/{attachment.id}/download", headers=headers)
    assert (response.status_code, response.content) == (200, PDF)
