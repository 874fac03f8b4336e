"""Uploads through the API are scanned by the real clamd: infected files are quarantined."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from aegis.core.scanning import ClamdScanner
from aegis.core.settings import Settings
from aegis.models import (
    AuditEvent,
    Evidence,
    EvidenceVersion,
    QuarantinedFile,
    RiskAttachment,
)
from tests.factories.evidence import make_file
from tests.factories.files import EICAR, EXE, HTML, INFECTED_PDF, PDF
from tests.factories.imports import ASSET_HEADERS, asset_rows, csv_file
from tests.factories.risks import make_risk

INFECTED = "The file x.pdf contains Eicar-Test-Signature and was not saved"


@pytest.fixture
def settings(settings: Settings, clamd_url: str) -> Settings:
    """The test settings, with uploads scanned by the project's clamd."""
    return settings.model_copy(update={"clamav_url": clamd_url})


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _count(db, model) -> int:
    return int(db.scalar(select(func.count()).select_from(model)))


def _upload(client, headers, world, content, filename="x.pdf", unit="division-a"):
    return client.post(
        "/api/v1/evidence",
        files={"file": (filename, content, "application/pdf")},
        data={"title": "Supplier report", "unit_id": str(world.units[unit])},
        headers=headers,
    )


def test_an_infected_upload_is_refused_quarantined_audited_and_never_served(
    client, app, db, world, token_for
) -> None:
    response = _upload(client, token_for("analyst"), world, INFECTED_PDF)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == INFECTED
    assert error["details"] == [{"field": "file", "message": INFECTED}]
    assert (_count(db, Evidence), _count(db, EvidenceVersion)) == (0, 0)
    store = app.state.blob_store
    assert _files(store.root) == []
    [kept] = _files(store.quarantine)
    assert kept.read_bytes() == INFECTED_PDF
    assert kept.stat().st_mode & 0o077 == 0
    row = db.scalars(select(QuarantinedFile)).one()
    assert (row.filename, row.upload_kind, row.unit_id) == (
        "x.pdf",
        "evidence",
        world.units["division-a"],
    )
    assert row.signature.startswith("Eicar-Test-Signature")
    assert row.uploaded_by_id == world.users["analyst"]
    event = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "quarantined_file")).one()
    assert (event.action, event.entity_id, event.unit_id) == (
        "create",
        row.id,
        world.units["division-a"],
    )
    assert event.actor_id == world.users["analyst"]
    assert event.changes["filename"] == [None, "x.pdf"]
    assert event.changes["sha256"] == [None, row.sha256]
    trail = client.get(
        "/api/v1/audit-events",
        params={"entity_type": "quarantined_file"},
        headers=token_for("admin"),
    ).json()
    assert trail["items"][0]["summary"] == "Created quarantined file 'x.pdf'"
    details = {d["label"]: d["after"] for d in trail["items"][0]["details"]}
    assert details["Uploaded as"] == "Evidence"
    assert details["Malware found"].startswith("Eicar-Test-Signature")
    assert details["SHA-256"] == row.sha256
    assert details["Uploaded by"] == "Analyst"
    listed = client.get("/api/v1/evidence", headers=token_for("analyst")).json()
    assert listed["total"] == 0


def test_the_quarantine_is_listed_to_the_administrators_of_its_unit_only(
    client, world, token_for
) -> None:
    _upload(client, token_for("analyst"), world, INFECTED_PDF)
    for admin in ("admin", "admin_a"):
        response = client.get("/api/v1/quarantine", headers=token_for(admin))
        assert response.status_code == 200
        [item] = response.json()["items"]
        assert item["filename"] == "x.pdf"
        assert item["signature"].startswith("Eicar-Test-Signature")
        assert (item["unit_name"], item["uploaded_by_name"]) == ("division-a", "Analyst")
        assert item["upload_kind_label"] == "Evidence"
        assert "storage_key" not in item
        served = client.get(f"/api/v1/quarantine/{item['id']}", headers=token_for(admin))
        assert served.status_code in (404, 405)
    for reader in ("analyst", "readonly", "analyst_b"):
        assert client.get("/api/v1/quarantine", headers=token_for(reader)).status_code == 403


def test_the_eicar_file_itself_is_caught_under_any_allowed_name(
    client, db, world, token_for
) -> None:
    response = _upload(client, token_for("analyst"), world, EICAR, "eicar.txt")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "The file eicar.txt contains Eicar-Test-Signature and was not saved"
    )
    assert _count(db, Evidence) == 0
    assert _count(db, QuarantinedFile) == 1


def test_a_clean_pdf_passes_the_scanner_and_is_served_back(client, world, token_for) -> None:
    headers = token_for("analyst")
    created = _upload(client, headers, world, PDF, "report.pdf")
    assert created.status_code == 201, created.text
    download = client.get(f"/api/v1/evidence/{created.json()['id']}/download", headers=headers)
    assert download.status_code == 200 and download.content == PDF


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (EXE, "The file x.pdf is not a PDF document: its content is a Windows program"),
        (HTML, "The file x.pdf is not a PDF document: its content is a web page (HTML)"),
    ],
    ids=["exe-renamed-pdf", "html-named-pdf"],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_and_not_kept(
    client, app, db, world, token_for, content, words
) -> None:
    response = _upload(client, token_for("analyst"), world, content)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(words)
    assert _count(db, Evidence) == 0 and _count(db, QuarantinedFile) == 0
    assert _files(app.state.blob_store.root) == []


def test_a_scanner_that_cannot_be_reached_refuses_every_upload_with_503(
    client, app, db, world, token_for, tmp_path
) -> None:
    app.state.blob_store.scanner = ClamdScanner(f"unix://{tmp_path / 'gone.sock'}", timeout=2)
    response = _upload(client, token_for("analyst"), world, PDF, "report.pdf")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert "malware scanner cannot be reached" in error["message"]
    assert (_count(db, Evidence), _count(db, QuarantinedFile)) == (0, 0)
    assert _files(app.state.blob_store.root) == []
    assert _files(app.state.blob_store.quarantine) == []


def test_new_versions_and_risk_attachments_are_scanned_too(
    client, app, db, world, token_for, principal_for
) -> None:
    analyst = principal_for("analyst")
    evidence = make_file(db, analyst, app.state.blob_store, world.units["division-a"])
    risk = make_risk(db, analyst, world.units["division-a"])
    db.commit()
    headers = token_for("analyst")
    version = client.post(
        f"/api/v1/evidence/{evidence.id}/versions",
        files={"file": ("x.pdf", INFECTED_PDF)},
        headers=headers,
    )
    attachment = client.post(
        f"/api/v1/risks/{risk.id}/attachments",
        files={"file": ("x.pdf", INFECTED_PDF)},
        headers=headers,
    )
    for response in (version, attachment):
        assert response.status_code == 422
        assert response.json()["error"]["message"] == INFECTED
    assert _count(db, EvidenceVersion) == 1 and _count(db, RiskAttachment) == 0
    kinds = db.scalars(select(QuarantinedFile.upload_kind).order_by(QuarantinedFile.id)).all()
    assert kinds == ["evidence", "attachment"]


def test_imports_and_framework_catalogs_are_scanned_before_they_are_read(
    client, db, world, token_for
) -> None:
    headers = token_for("analyst")
    rows = csv_file(ASSET_HEADERS, asset_rows(1)) + EICAR + b"\n"
    imported = client.post(
        "/api/v1/imports/assets", files={"file": ("assets.csv", rows, "text/csv")}, headers=headers
    )
    catalog = client.post(
        "/api/v1/frameworks/import",
        files={"file": ("catalog.json", b'{"catalog": "' + EICAR + b'"}')},
        data={"unit_id": str(world.units["division-a"])},
        headers=headers,
    )
    mappings = client.post(
        "/api/v1/requirement-mappings/import",
        files={"file": ("mappings.csv", b"source_framework,source_id\n" + EICAR)},
        headers=headers,
    )
    for response, name in (
        (imported, "assets.csv"),
        (catalog, "catalog.json"),
        (mappings, "mappings.csv"),
    ):
        assert response.status_code == 422, response.text
        assert response.json()["error"]["message"] == (
            f"The file {name} contains Eicar-Test-Signature and was not saved"
        )
    kinds = db.scalars(select(QuarantinedFile.upload_kind).order_by(QuarantinedFile.id)).all()
    assert kinds == ["import", "catalog", "mappings"]
    units = set(db.scalars(select(QuarantinedFile.unit_id)).all())
    assert units == {world.units["division-a"]}
