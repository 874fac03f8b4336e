"""File names, content types and download headers for hostile and ordinary uploads."""

from __future__ import annotations

import pytest

from aegis.domains.evidence.content import (
    OCTET_STREAM,
    ascii_filename,
    content_disposition,
    detect_content_type,
    safe_filename,
    servable_type,
)

PDF, PNG = b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\eve\\report.docx", "report.docx"),
        ('a"b.html', "ab.html"),
        ("a%22b.html", "ab.html"),
        ("evil%0D%0aSet-Cookie: a=b.txt", "evilSet-Cookie_ a=b.txt"),
        ("100%25 done.txt", "100%25 done.txt"),
        ("evil\r\nSet-Cookie: a=b.txt", "evilSet-Cookie_ a=b.txt"),
        ("rapport-été.pdf", "rapport-été.pdf"),
        ("\u202egnp.exe", "gnp.exe"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("..", "file"),
        ("", "file"),
        ("  .hidden  ", "hidden"),
        ("a<b>c|d?.txt", "a_b_c_d_.txt"),
    ],
)
def test_safe_filename_strips_paths_controls_and_quotes(given, kept):
    assert safe_filename(given) == kept


def test_long_names_are_cut_keeping_the_extension():
    name = safe_filename("x" * 500 + ".pdf")
    assert len(name) == 200
    assert name.endswith(".pdf")


@pytest.mark.parametrize(
    ("given", "fallback"),
    [
        ("rapport-été.pdf", "rapport-ete.pdf"),
        ("日本語.pdf", "download.pdf"),
        ("it's; x=1.txt", "it_s_ x_1.txt"),
        ("../../etc/passwd", "passwd"),
        ("Ωμέγα", "download"),
        ("Ωmega", "mega"),
    ],
)
def test_ascii_fallback_is_plain_ascii(given, fallback):
    assert ascii_filename(given) == fallback
    assert ascii_filename(given).isascii()


@pytest.mark.parametrize(
    "name", ['a"b.html', "evil\r\nSet-Cookie: a=b.txt", "../../etc/passwd", "日本語 ü.pdf", "x;y"]
)
def test_content_disposition_is_a_safe_attachment(name):
    header = content_disposition(name)
    assert header.startswith('attachment; filename="')
    assert header.isascii()
    assert "\r" not in header and "\n" not in header and "/" not in header
    quoted = header.split('filename="', 1)[1].split('"', 1)[0]
    assert '"' not in quoted and ";" not in quoted
    assert header.count('"') == 2
    assert "filename*=UTF-8''" in header


def test_content_disposition_carries_the_unicode_name():
    header = content_disposition("rapport-été.pdf")
    assert header == (
        "attachment; filename=\"rapport-ete.pdf\"; filename*=UTF-8''rapport-%C3%A9t%C3%A9.pdf"
    )


@pytest.mark.parametrize(
    ("filename", "head", "expected"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("REPORT.PDF", PDF, "application/pdf"),
        ("shot.png", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0", "image/jpeg"),
        ("notes.txt", b"plain words\n", "text/plain; charset=utf-8"),
        ("data.csv", b"a,b\n1,2\n", "text/csv; charset=utf-8"),
        ("data.json", b'{"a": 1}', "application/json"),
        (
            "sheet.xlsx",
            b"PK\x03\x04rest",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("legacy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
        ("scan", PDF, "application/pdf"),
        # content and extension disagree, or the type is not on the allow-list
        ("page.html", b"<html><body>hi</body></html>", OCTET_STREAM),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', OCTET_STREAM),
        ("fake.pdf", b"<html><script>alert(1)</script>", OCTET_STREAM),
        ("fake.txt", b"<!DOCTYPE html><p>x", OCTET_STREAM),
        ("fake.txt", b"hello <script>alert(1)</script>", OCTET_STREAM),
        ("fake.png", PDF, OCTET_STREAM),
        ("binary.txt", b"\x00\x01\x02", OCTET_STREAM),
        ("tool.exe", b"MZ\x90\x00", OCTET_STREAM),
        ("noext", b"MZ\x90\x00\xff\xfe", OCTET_STREAM),
        ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), OCTET_STREAM),
    ],
)
def test_content_type_needs_content_and_extension_to_agree(filename, head, expected):
    assert detect_content_type(filename, head) == expected


def test_a_truncated_character_at_the_very_end_of_a_file_is_not_text():
    latin1 = "café".encode("latin-1")
    assert detect_content_type("menu.txt", latin1, whole=True) == OCTET_STREAM


def test_text_cut_in_the_middle_of_a_character_is_still_text():
    head = ("é" * 10).encode()[:-1]
    assert detect_content_type("notes.txt", head).startswith("text/plain")


@pytest.mark.parametrize("stored", ["text/html", "image/svg+xml", "application/xhtml+xml", "x"])
def test_only_allow_listed_types_are_served(stored):
    assert servable_type(stored) == OCTET_STREAM
    assert servable_type("application/pdf") == "application/pdf"
