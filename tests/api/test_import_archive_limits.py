"""Workbooks built to unpack into far more than they weigh are refused before being opened.

Each hostile workbook is a real workbook (it opens in a spreadsheet program) with one more
thing inside: a part that unpacks a thousand times its size, parts that together unpack past
the limit, more parts than a sheet ever has, or sizes in the archive's directory that lie
about what a part unpacks to. They are sent through the import API and the import page; each
is refused with a message that says why, and nothing is imported.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from aegis.domains.imports.reading import MAX_PARTS, MAX_UNPACKED_BYTES, RATIO_FLOOR
from aegis.models import Asset
from tests.factories.imports import ASSET_HEADERS, asset_rows, xlsx_file
from tests.web.conftest import browser_for

__all__ = ["browser_for"]  # the signed-in browser of the page tests

URL = "/api/v1/imports/assets"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "xl/worksheets/sheet1.xml"
UNPACKS_TOO_FAR = "The workbook unpacks to far more than its size; it was refused"
TOO_MANY_PARTS = "The workbook has too many parts to be a plain sheet"
UNREADABLE = "The workbook cannot be read; save it again as .xlsx or as CSV"


def _with_parts(parts: dict[str, bytes]) -> bytes:
    """A workbook of three assets with more parts added, compressed as hard as possible."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_file(ASSET_HEADERS, asset_rows(3))))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        for name, content in parts.items():
            out.writestr(name, content)
    return buffer.getvalue()


def one_part_of_high_ratio() -> bytes:
    """One part of 2 MiB of zeros: it packs to about 2 KiB (a ratio near 1000)."""
    return _with_parts({"xl/media/padding.bin": bytes(2 * RATIO_FLOOR)})


def parts_past_the_unpacked_limit() -> bytes:
    """Parts each just small enough to escape the ratio check, together past the limit."""
    count = MAX_UNPACKED_BYTES // RATIO_FLOOR + 1
    part = bytes(RATIO_FLOOR)
    return _with_parts({f"xl/media/padding{n}.bin": part for n in range(count)})


def too_many_parts() -> bytes:
    """More tiny parts than any plain sheet has."""
    return _with_parts({f"customXml/item{n}.xml": b"<a/>" for n in range(MAX_PARTS + 1)})


def sizes_that_lie() -> bytes:
    """The sheet grown to 20 MiB of blank space, its directory saying it unpacks to 1 KiB.

    The limits trust the sizes the directory declares; reading stops at the declared size,
    so the lie leaves a sheet that cannot be read rather than one unpacked in full.
    """
    source = zipfile.ZipFile(io.BytesIO(xlsx_file(ASSET_HEADERS, asset_rows(3))))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == SHEET:
                content = content.replace(b"<sheetData>", b"<sheetData>" + b" " * (20 << 20))
            out.writestr(item.filename, content)
    data = bytearray(buffer.getvalue())
    name = SHEET.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", data, start + size_at, 1024)
            start = data.find(signature, start + 4)
    return bytes(data)


BOMBS: dict[str, tuple[Callable[[], bytes], str]] = {
    "one part of high ratio": (one_part_of_high_ratio, UNPACKS_TOO_FAR),
    "parts past the unpacked limit": (parts_past_the_unpacked_limit, UNPACKS_TOO_FAR),
    "too many parts": (too_many_parts, TOO_MANY_PARTS),
    "sizes that lie": (sizes_that_lie, UNREADABLE),
}


def _imported(db: Any) -> int:
    stmt = select(func.count()).select_from(Asset).where(Asset.ref.like("A-IMP-%"))
    return int(db.scalar(stmt) or 0)


@pytest.mark.parametrize("kind", list(BOMBS))
def test_the_api_refuses_a_workbook_that_unpacks_too_far(
    client: Any, db: Any, token_for: Any, kind: str
) -> None:
    build, message = BOMBS[kind]
    content = build()
    assert len(content) < 2 << 20  # small enough to pass every upload limit
    files = {"file": ("assets.xlsx", content, XLSX)}
    response = client.post(URL, files=files, headers=token_for("analyst"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["message"] == message
    assert error["details"] == [{"field": "file", "message": message}]
    assert _imported(db) == 0


def test_the_import_page_refuses_a_zip_bomb_with_the_reason(browser_for: Any, db: Any) -> None:
    analyst = browser_for("analyst")
    page = analyst.post(
        "/imports/assets",
        files={"file": ("assets.xlsx", one_part_of_high_ratio(), XLSX)},
        data={"unit_id": ""},
    )
    assert page.status_code == 422
    assert "unpacks to far more than its size" in page.text
    assert _imported(db) == 0


def test_the_same_workbook_without_the_padding_is_imported(
    client: Any, db: Any, token_for: Any
) -> None:
    files = {"file": ("assets.xlsx", _with_parts({}), XLSX)}
    response = client.post(URL, files=files, headers=token_for("analyst"))
    assert response.status_code == 200, response.text
    assert _imported(db) == 3
