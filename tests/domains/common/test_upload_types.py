"""Uploads are typed by their content (libmagic), which must agree with the extension."""

from __future__ import annotations

import pytest

from aegis.domains.common.uploads import FileRefused, UploadKind, check_type, readable_size
from tests.factories.files import EXE, HTML, PDF, SHELL, SVG, png, xlsx, zip_of

EVIDENCE = UploadKind.EVIDENCE


@pytest.mark.parametrize(
    ("name", "content", "detected"),
    [
        ("policy.pdf", PDF, "application/pdf"),
        ("notes.txt", b"MZ is the name of our vendor\n", "text/plain"),
        ("data.csv", b"name,owner\nServer,Ana\nLaptop,Ben\n", "text/csv"),
        ("photo.png", png(), "image/png"),
        (
            "register.xlsx",
            xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("bundle.zip", zip_of({"a.txt": b"a"}), "application/zip"),
        ("catalog.json", b'{"catalog": {"uuid": "x"}}', "application/json"),
        ("catalog.xml", b'<?xml version="1.0"?>\n<catalog/>\n', "text/xml"),
        ("finding.txt", b"XSS found: the form echoes <script>alert(1)</script>\n", "text/html"),
        ("POLICY.PDF", PDF, "application/pdf"),
        ("initial.txt", b"a", "text/plain"),
    ],
)
def test_files_whose_content_agrees_with_their_extension_pass(
    name: str, content: bytes, detected: str
) -> None:
    assert check_type(name, content, EVIDENCE) == detected


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("invoice.pdf", EXE, "invoice.pdf is not a PDF document: its content is a Windows program"),
        ("report.pdf", HTML, "report.pdf is not a PDF document: its content is a web page (HTML)"),
        ("notes.txt", HTML, "notes.txt is not a text file: its content is a web page (HTML)"),
        ("run.txt", SHELL, "run.txt is not a text file: its content is a shell script"),
        ("logo.xml", SVG, "logo.xml is not an XML file: its content is an SVG image"),
        ("photo.png", PDF, "photo.png is not a PNG image: its content is a PDF document"),
        ("policy.pdf", b"just text", "policy.pdf is not a PDF document: its content is plain text"),
        ("setup.exe", EXE, "setup.exe cannot be uploaded here: .exe files are not accepted"),
        ("install.sh", SHELL, ".sh files are not accepted"),
        ("page.html", HTML, ".html files are not accepted"),
        ("logo.svg", SVG, ".svg files are not accepted"),
        ("tool.js", b"console.log(1)\n", ".js files are not accepted"),
        ("run.ps1", b"Write-Host 'hi'\n", ".ps1 files are not accepted"),
        ("go.bat", b"@echo off\r\n", ".bat files are not accepted"),
        ("README", b"plain words", "README has no extension"),
        ("empty.txt", b"", "empty.txt is empty"),
    ],
)
def test_refused_files_are_named_with_the_reason(name: str, content: bytes, words: str) -> None:
    with pytest.raises(FileRefused) as refused:
        check_type(name, content, EVIDENCE)
    assert words in refused.value.message
    assert refused.value.details == [{"field": "file", "message": refused.value.message}]


@pytest.mark.parametrize(
    ("kind", "name", "content"),
    [
        (UploadKind.IMPORT, "assets.pdf", PDF),
        (UploadKind.IMPORT, "assets.json", b"[]"),
        (UploadKind.CATALOG, "catalog.xlsx", xlsx()),
        (UploadKind.MAPPINGS, "mappings.zip", zip_of({"m.csv": b"a,b\n"})),
    ],
)
def test_each_kind_of_upload_takes_only_its_own_types(
    kind: UploadKind, name: str, content: bytes
) -> None:
    with pytest.raises(FileRefused, match="cannot be uploaded here"):
        check_type(name, content, kind)


def test_a_spreadsheet_import_names_what_it_accepts() -> None:
    with pytest.raises(FileRefused) as refused:
        check_type("assets.ods", b"PK\x03\x04", UploadKind.IMPORT)
    assert "accepted: CSV (.csv) or Excel (.xlsx) files" in refused.value.message


@pytest.mark.parametrize(
    ("size", "text"),
    [(512, "512 bytes"), (20 * 1024, "20 KB"), (1024 * 1024, "1 MB"), (1536 * 1024, "1.5 MB")],
)
def test_sizes_in_words(size: int, text: str) -> None:
    assert readable_size(size) == text
