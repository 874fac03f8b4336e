"""Downloading evidence: content, content types and safe headers for hostile file names."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from fastapi.testclient import TestClient

from tests.factories.evidence import PDF
from tests.factories.files import HTML, SVG, png

PNG = png()


def _post(client, headers, world, filename: str, content: bytes, declared="text/html"):
    response = client.post(
        "/api/v1/evidence",
        files={"file": (filename, content, declared)},
        data={"title": "Evidence", "unit_id": str(world.units["division-a"])},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _raw_post(client, headers, world, filename: bytes, content: bytes):
    """Send a multipart body by hand, with the file name bytes exactly as given."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nRaw\r\n'.encode(),
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="unit_id"\r\n\r\n'
            f"{world.units['division-a']}\r\n"
        ).encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: text/html\r\n\r\n'
        + content
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    response = client.post(
        "/api/v1/evidence",
        content=b"".join(parts),
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def _download(client, headers, evidence, number=None):
    path = f"/api/v1/evidence/{evidence['id']}"
    path += f"/versions/{number}/download" if number else "/download"
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response


def test_download_streams_the_newest_or_a_chosen_version(client: TestClient, world, token_for):
    headers = token_for("analyst")
    evidence = _post(client, headers, world, "policy.pdf", PDF)
    client.post(
        f"/api/v1/evidence/{evidence['id']}/versions",
        files={"file": ("diagram.png", PNG)},
        headers=headers,
    )
    latest = _download(client, headers, evidence)
    assert latest.content == PNG
    assert latest.headers["content-type"] == "image/png"
    assert latest.headers["content-length"] == str(len(PNG))
    assert latest.headers["etag"] == f'"{hashlib.sha256(PNG).hexdigest()}"'
    first = _download(client, headers, evidence, 1)
    assert first.content == PDF
    assert first.headers["content-type"] == "application/pdf"
    assert first.headers["content-disposition"] == (
        "attachment; filename=\"policy.pdf\"; filename*=UTF-8''policy.pdf"
    )
    assert first.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in first.headers["content-security-policy"]
    missing = client.get(f"/api/v1/evidence/{evidence['id']}/versions/9/download", headers=headers)
    assert missing.status_code == 404


def test_readonly_auditor_can_download(client, world, token_for):
    evidence = _post(client, token_for("analyst"), world, "policy.pdf", PDF)
    for name in ("readonly", "readonly_a", "admin"):
        assert _download(client, token_for(name), evidence).content == PDF


@pytest.mark.parametrize(
    ("filename", "content", "stored", "content_type"),
    [
        ("../../etc/passwd.txt", b"root:x:0:0\n", "passwd.txt", "text/plain; charset=utf-8"),
        ('a"b.pdf', PDF, "ab.pdf", "application/pdf"),
        ("rapport-été.pdf", PDF, "rapport-été.pdf", "application/pdf"),
        ("..\\..\\boot.txt", b"[boot]\n", "boot.txt", "text/plain; charset=utf-8"),
        ("menu.txt", "Café crème\n".encode("latin-1"), "menu.txt", "application/octet-stream"),
    ],
)
def test_hostile_and_unusual_names_get_safe_headers(
    client, world, token_for, filename, content, stored, content_type
):
    headers = token_for("analyst")
    evidence = _post(client, headers, world, filename, content)
    assert evidence["latest_version"]["filename"] == stored
    response = _download(client, headers, evidence)
    assert response.headers["content-type"] == content_type
    assert "html" not in response.headers["content-type"]
    assert "svg" not in response.headers["content-type"]
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.isascii()
    assert disposition.count('"') == 2
    assert "/" not in disposition and "\\" not in disposition
    assert response.content == content


def test_raw_unicode_quote_and_control_characters_in_the_multipart_name(client, world, token_for):
    headers = token_for("analyst")
    unicode_name = _raw_post(client, headers, world, "Prüfbericht 日本.pdf".encode(), PDF)
    disposition = _download(client, headers, unicode_name).headers["content-disposition"]
    assert disposition == (
        'attachment; filename="Prufbericht.pdf"; '
        "filename*=UTF-8''Pr%C3%BCfbericht%20%E6%97%A5%E6%9C%AC.pdf"
    )
    tabbed = _raw_post(client, headers, world, b"a\tb\x01c\x7f.txt", b"text")
    assert tabbed["latest_version"]["filename"] == "abc.txt"
    quoted = _raw_post(client, headers, world, b'x\\"y.pdf', PDF)
    assert quoted["latest_version"]["filename"] == "xy.pdf"
    assert _download(client, headers, quoted).headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    ("filename", "content"),
    [("page.html", HTML), ("logo.svg", SVG), ("invoice.pdf", HTML), ("notes.txt", HTML)],
)
def test_web_pages_and_svg_are_refused_so_nothing_can_be_served(
    client, world, token_for, filename, content
):
    response = client.post(
        "/api/v1/evidence",
        files={"file": (filename, content, "application/pdf")},
        data={"title": "Evidence", "unit_id": str(world.units["division-a"])},
        headers=token_for("analyst"),
    )
    assert response.status_code == 422
    assert filename in response.json()["error"]["message"]
    listed = client.get("/api/v1/evidence", headers=token_for("analyst")).json()
    assert listed["total"] == 0


def test_percent_encoded_crlf_in_a_name_cannot_split_headers(client, world, token_for):
    headers = token_for("analyst")
    evidence = _post(client, headers, world, "evil\r\nSet-Cookie: a=b.txt", b"plain")
    assert evidence["latest_version"]["filename"] == "evilSet-Cookie_ a=b.txt"
    response = _download(client, headers, evidence)
    assert "set-cookie" not in response.headers
    assert "\n" not in response.headers["content-disposition"]


def test_links_have_nothing_to_download(client, world, token_for):
    headers = token_for("analyst")
    link = client.post(
        "/api/v1/evidence/links",
        json={"title": "x", "unit_id": world.units["division-a"], "url": "https://x.example"},
        headers=headers,
    ).json()
    assert client.get(f"/api/v1/evidence/{link['id']}/download", headers=headers).status_code == 404
