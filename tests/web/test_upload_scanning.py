"""Uploads through the pages are scanned by the real clamd: refused on the form, quarantined."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aegis.core.scanning import ClamdScanner
from aegis.core.settings import Settings
from aegis.models import Evidence, EvidenceVersion, QuarantinedFile, RiskAttachment
from tests.factories.controls import make_control
from tests.factories.evidence import make_file
from tests.factories.files import EICAR, EXE, INFECTED_PDF, PDF
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


def _new_evidence(browser, world, content, filename="x.pdf"):
    data = {"title": "Supplier SOC 2 report", "unit_id": str(world.units["division-a"])}
    return browser.post("/evidence/new", data, files={"file": (filename, content)})


def _text(page) -> str:
    return html.unescape(page.text)


def test_an_infected_upload_comes_back_on_the_form_and_is_quarantined(
    browser_for, app, db, world
) -> None:
    page = _new_evidence(browser_for("analyst"), world, INFECTED_PDF)
    assert page.status_code == 422
    assert INFECTED in _text(page)
    assert 'value="Supplier SOC 2 report"' in page.text
    assert _count(db, Evidence) == 0
    assert _files(app.state.blob_store.root) == []
    [kept] = _files(app.state.blob_store.quarantine)
    assert kept.read_bytes() == INFECTED_PDF
    row = db.scalars(select(QuarantinedFile)).one()
    assert (row.filename, row.upload_kind, row.unit_id) == (
        "x.pdf",
        "evidence",
        world.units["division-a"],
    )
    trail = _text(browser_for("admin").get("/audit?entity_type=quarantined_file"))
    assert "Created quarantined file 'x.pdf'" in trail


def test_a_clean_pdf_is_saved_and_a_renamed_program_is_refused_on_the_form(
    browser_for, db, world
) -> None:
    analyst = browser_for("analyst")
    saved = _new_evidence(analyst, world, PDF, "report.pdf")
    assert saved.status_code == 303, saved.text
    refused = _new_evidence(analyst, world, EXE, "invoice.pdf")
    assert refused.status_code == 422
    assert "invoice.pdf is not a PDF document: its content is a Windows program" in refused.text
    assert 'value="Supplier SOC 2 report"' in refused.text
    assert _count(db, Evidence) == 1 and _count(db, QuarantinedFile) == 0


def test_a_scanner_that_cannot_be_reached_refuses_on_the_form_with_503(
    browser_for, app, db, world, tmp_path
) -> None:
    app.state.blob_store.scanner = ClamdScanner(f"unix://{tmp_path / 'gone.sock'}", timeout=2)
    page = _new_evidence(browser_for("analyst"), world, PDF, "report.pdf")
    assert page.status_code == 503
    assert "The malware scanner cannot be reached" in page.text
    assert 'value="Supplier SOC 2 report"' in page.text
    assert (_count(db, Evidence), _count(db, QuarantinedFile)) == (0, 0)
    assert _files(app.state.blob_store.root) == []


def test_versions_attachments_and_control_evidence_pages_quarantine_infected_files(
    browser_for, app, db, world, principal_for
) -> None:
    analyst = principal_for("analyst")
    unit = world.units["division-a"]
    evidence = make_file(db, analyst, app.state.blob_store, unit)
    risk = make_risk(db, analyst, unit)
    control = make_control(db, analyst, unit)
    db.commit()
    browser = browser_for("analyst")
    file = {"file": ("x.pdf", INFECTED_PDF)}
    for url in (
        f"/evidence/{evidence.id}/versions",
        f"/risks/{risk.id}/attachments",
        f"/controls/{control.id}/evidence",
    ):
        page = browser.post(url, {"title": "Scan"}, files=file)
        assert page.status_code == 422, url
        assert INFECTED in _text(page), url
    assert (_count(db, EvidenceVersion), _count(db, RiskAttachment)) == (1, 0)
    kinds = db.scalars(select(QuarantinedFile.upload_kind).order_by(QuarantinedFile.id)).all()
    assert kinds == ["evidence", "attachment", "evidence"]


def test_import_pages_quarantine_infected_files_and_keep_nothing_for_later_steps(
    browser_for, db, world
) -> None:
    browser = browser_for("analyst")
    rows = csv_file(ASSET_HEADERS, asset_rows(1)) + EICAR + b"\n"
    assets = browser.post("/imports/assets", {"unit_id": ""}, files={"file": ("assets.csv", rows)})
    catalog = browser.post(
        "/frameworks/import",
        {"unit_id": str(world.units["division-a"]), "format": "auto"},
        files={"file": ("catalog.json", b'{"catalog": "' + EICAR + b'"}')},
    )
    mappings = browser.post(
        "/frameworks/mappings/import", files={"file": ("mappings.csv", b"a,b\n" + EICAR)}
    )
    for page, name in (
        (assets, "assets.csv"),
        (catalog, "catalog.json"),
        (mappings, "mappings.csv"),
    ):
        assert page.status_code == 422, name
        assert f"The file {name} contains Eicar-Test-Signature and was not saved" in _text(page)
        assert "upload_token" not in page.text
    kinds = db.scalars(select(QuarantinedFile.upload_kind).order_by(QuarantinedFile.id)).all()
    assert kinds == ["import", "catalog", "mappings"]
