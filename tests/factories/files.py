"""Sample files of each kind an upload may be, built in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook

PDF = b"%PDF-1.7\n% test document\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
# the start of a Windows program: an MS-DOS header whose PE header follows at 0x80
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + (b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00\x4c\x01" + b"\x00" * 64)
)
SHELL = b"#!/bin/sh\nrm -rf ~\n"
# the EICAR anti-virus test file, assembled so that this source is not itself detected
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-" + b"TEST-FILE!$H+H*"
# a PDF carrying the EICAR string, as a document with a payload would
INFECTED_PDF = PDF + EICAR + b"\n%%EOF\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack("!I", len(data)) + body + struct.pack("!I", zlib.crc32(body))


def png() -> bytes:
    """A valid one-pixel PNG image."""
    header = struct.pack("!IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def xlsx(rows: list[list[str]] | None = None) -> bytes:
    """An Excel workbook with these rows."""
    book = Workbook()
    for row in rows or [["Name"], ["Server"]]:
        book.active.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    """A ZIP archive of these files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()
