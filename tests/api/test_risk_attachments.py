"""Files attached to risks through the API: upload, download headers, refusals, scoping, audit."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aegis.models import AuditEvent, RiskAttachment
from tests.factories.evidence import PDF
from tests.factories.risks import make_risk

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


@pytest.fixture
def url(db, world, principal_for) -> str:
    """The attachments of a risk of division-a."""
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"])
    db.commit()
    return f"/api/v1/risks/{risk.id}/attachments"


def _blobs(app) -> list[Path]:
    root = app.state.blob_store.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(
    client, url, headers, filename="assessment.pdf", content=PDF, declared="application/pdf"
):
    return client.post(url, files={"file": (filename, content, declared)}, headers=headers)


def _nothing_written(app, db) -> None:
    assert _blobs(app) == []
    assert db.scalar(select(func.count()).select_from(RiskAttachment)) == 0
    events = select(func.count()).where(AuditEvent.entity_type == "risk_attachment")
    assert db.scalar(events) == 0


def test_upload_list_download_and_delete(client, app, db, world, token_for, url):
    analyst = token_for("analyst")
    created = _upload(client, url, analyst)
    assert created.status_code == 201, created.text
    attachment = created.json()
    assert attachment["filename"] == "assessment.pdf"
    assert attachment["content_type"] == "application/pdf"
    assert attachment["size"] == len(PDF)
    assert attachment["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert attachment["uploaded_by_name"] == "Analyst"
    assert "storage_key" not in attachment
    _upload(client, url, token_for("admin_a"), "notes.txt", b"Call with the vendor", "text/plain")

    listed = client.get(url, headers=token_for("readonly")).json()
    assert [a["filename"] for a in listed["items"]] == ["assessment.pdf", "notes.txt"]
    assert [a["uploaded_by_name"] for a in listed["items"]] == ["Analyst", "Admin_A"]

    download = client.get(f"{url}/{attachment['id']}/download", headers=token_for("readonly"))
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith(
        'attachment; filename="assessment.pdf"'
    )
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in download.headers["content-security-policy"]
    assert download.headers["etag"] == f'"{attachment["sha256"]}"'
    assert len(_blobs(app)) == 2

    assert client.delete(f"{url}/{attachment['id']}", headers=analyst).status_code == 204
    assert client.get(f"{url}/{attachment['id']}/download", headers=analyst).status_code == 404
    assert [a["filename"] for a in client.get(url, headers=analyst).json()["items"]] == [
        "notes.txt"
    ]
    # the file itself goes once the deletion is committed
    assert len(_blobs(app)) == 1


def test_readonly_downloads_but_cannot_add_or_remove_and_the_sibling_sees_nothing(
    client, app, db, token_for, url
):
    attachment = _upload(client, url, token_for("analyst")).json()
    item = f"{url}/{attachment['id']}"
    for reader in ("readonly", "readonly_a"):
        headers = token_for(reader)
        assert client.get(f"{item}/download", headers=headers).status_code == 200
        assert _upload(client, url, headers).status_code == 403
        assert client.delete(item, headers=headers).status_code == 403
    sibling = token_for("analyst_b")
    assert client.get(url, headers=sibling).status_code == 404
    assert client.get(f"{item}/download", headers=sibling).status_code == 404
    assert _upload(client, url, sibling).status_code == 404
    assert client.delete(item, headers=sibling).status_code == 404
    assert db.scalar(select(func.count()).select_from(RiskAttachment)) == 1
    assert len(_blobs(app)) == 1


def test_uploads_and_removals_are_in_the_audit_trail_with_the_unit(
    client, db, world, token_for, url
):
    headers = token_for("analyst")
    attachment = _upload(client, url, headers).json()
    client.delete(f"{url}/{attachment['id']}", headers=headers)
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "risk_attachment")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.entity_id, e.unit_id) for e in events] == [
        ("create", attachment["id"], world.units["division-a"]),
        ("delete", attachment["id"], world.units["division-a"]),
    ]
    assert events[0].changes["filename"] == [None, "assessment.pdf"]
    assert events[0].changes["sha256"] == [None, attachment["sha256"]]


@pytest.mark.parametrize(
    ("filename", "content", "words"),
    [
        ("invoice.pdf", PROGRAM, "invoice.pdf is not a PDF document: its content is a Windows"),
        ("report.pdf", ELF, "report.pdf is not a PDF document"),
        ("setup.exe", PROGRAM, "setup.exe cannot be uploaded here: .exe files are not accepted"),
        ("install.txt", b"#!/bin/sh\nrm -rf ~\n", "its content is a shell script"),
        ("invoice.pdf", b"<html><script>alert(1)</script></html>", "a web page (HTML)"),
        ("notes.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "notes.txt is not a text file"),
        ("empty.pdf", b"", "empty.pdf is empty"),
    ],
    ids=["exe-as-pdf", "elf-as-pdf", "exe", "script", "html-as-pdf", "png-as-txt", "empty"],
)
def test_hostile_files_are_refused_naming_the_field_and_nothing_is_kept(
    client, app, db, token_for, url, filename, content, words
):
    response = _upload(client, url, token_for("analyst"), filename, content)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert {d["field"] for d in error["details"]} == {"file"}
    assert words in error["message"]
    _nothing_written(app, db)


def test_files_over_the_limit_are_413_naming_the_field_and_nothing_is_kept(
    client, app, db, token_for, url, settings
):
    content = PDF + b"x" * settings.max_upload_bytes
    response = _upload(client, url, token_for("analyst"), content=content)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["details"] == [{"field": "file", "message": error["message"]}]
    assert "1 MB" in error["message"]
    _nothing_written(app, db)


def test_a_missing_file_is_422_naming_the_field(client, app, db, token_for, url):
    response = client.post(url, files={"title": (None, "no file")}, headers=token_for("analyst"))
    assert response.status_code == 422
    assert "file" in {d["field"] for d in response.json()["error"]["details"]}
    _nothing_written(app, db)


def test_hostile_names_are_stored_safely(client, token_for, url):
    headers = token_for("analyst")
    attachment = _upload(client, url, headers, "..\\..\\evil\r\nX: y.pdf").json()
    assert attachment["filename"] == "evilX_ y.pdf"
    download = client.get(f"{url}/{attachment['id']}/download", headers=headers)
    assert "\n" not in download.headers["content-disposition"]
    assert "x" not in {name.lower() for name in download.headers}


def test_deleting_the_risk_removes_its_files(client, app, db, world, token_for, url):
    headers = token_for("analyst")
    attachment = _upload(client, url, headers).json()
    risk_url = url.removesuffix("/attachments")
    assert client.delete(risk_url, headers=token_for("readonly")).status_code == 403
    assert len(_blobs(app)) == 1
    assert client.delete(risk_url, headers=headers).status_code == 204
    assert _blobs(app) == []
    assert db.scalar(select(func.count()).select_from(RiskAttachment)) == 0
    removed = select(AuditEvent.entity_id).where(
        AuditEvent.entity_type == "risk_attachment", AuditEvent.action == "delete"
    )
    assert db.scalars(removed).all() == [attachment["id"]]
