"""Safe file names, content types decided from content and extension, download headers."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

from aegis.domains.common.filenames import MAX_FILENAME as MAX_FILENAME
from aegis.domains.common.filenames import safe_filename, suffix_of

OCTET_STREAM = "application/octet-stream"
HEAD_BYTES = 8192
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+-]")
_MARKUP = (b"<!doctype", b"<html", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe")

# family of content -> leading bytes
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "zip": (b"PK\x03\x04",),
    "ole": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
TEXT = "text/plain; charset=utf-8"
# extension -> (content type served, family the content must belong to)
ALLOWED: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "pdf"),
    ".png": ("image/png", "png"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".gif": ("image/gif", "gif"),
    ".webp": ("image/webp", "webp"),
    ".txt": (TEXT, "text"),
    ".log": (TEXT, "text"),
    ".md": (TEXT, "text"),
    ".csv": ("text/csv; charset=utf-8", "text"),
    ".json": ("application/json", "text"),
    ".zip": ("application/zip", "zip"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "zip"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "zip"),
    ".odt": ("application/vnd.oasis.opendocument.text", "zip"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "zip"),
    ".doc": ("application/msword", "ole"),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".ppt": ("application/vnd.ms-powerpoint", "ole"),
}
# family -> content type for files without an extension
WITHOUT_EXTENSION = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "text": TEXT,
}
SERVABLE = frozenset({OCTET_STREAM} | {t for t, _ in ALLOWED.values()})


def _to_ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _ASCII_UNSAFE.sub("_", plain)


def ascii_filename(name: str) -> str:
    """An ASCII stand-in for a file name, for clients that ignore filename*."""
    safe = safe_filename(name)
    suffix = suffix_of(safe)
    stem = _to_ascii(safe[: len(safe) - len(suffix)]).strip(" ._")
    ascii_suffix = _to_ascii(suffix)
    if not re.fullmatch(r"\.[A-Za-z0-9_+-]+", ascii_suffix):
        ascii_suffix = ""
    if not re.search(r"[A-Za-z0-9]", stem):
        stem = "download"
    return stem + ascii_suffix


def content_disposition(name: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266/5987)."""
    full = quote(safe_filename(name), safe="")
    return f"attachment; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{full}"


def _is_text(head: bytes, whole: bool) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return False
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return not lowered.startswith(b"<") and not any(tag in lowered for tag in _MARKUP)


def sniff(head: bytes, whole: bool = False) -> str | None:
    """The family of content these leading bytes (or whole content) belong to, if known and safe."""
    for family, prefixes in SIGNATURES.items():
        if head.startswith(prefixes):
            return family
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return "text" if head and _is_text(head, whole) else None


def detect_content_type(filename: str, head: bytes, whole: bool = False) -> str:
    """The type to serve a file as: allowed only when content and extension agree."""
    family = sniff(head, whole)
    suffix = PurePosixPath(filename).suffix.lower()
    allowed = ALLOWED.get(suffix)
    if allowed is not None and allowed[1] == family:
        return allowed[0]
    if not suffix and family in WITHOUT_EXTENSION:
        return WITHOUT_EXTENSION[family]
    return OCTET_STREAM


def servable_type(stored: str) -> str:
    """The stored type when it is on the allow-list, else application/octet-stream."""
    return stored if stored in SERVABLE else OCTET_STREAM
