"""Every uploaded file passes here before it is kept: scanned for malware, typed by content.

An infected file goes to the quarantine (recorded and audited, never served); a file whose
content (as libmagic reads it) does not agree with its extension, or whose type the upload
does not take, is refused. Either way nothing is stored and the refusal names the file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import BinaryIO

import magic
import structlog
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import PayloadTooLarge, ValidationFailed
from aegis.core.scanning import signature_name
from aegis.core.storage import CHUNK_SIZE, LocalBlobStore
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.filenames import safe_filename, suffix_of
from aegis.models import QuarantinedFile

log = structlog.get_logger("aegis.uploads")

HEAD_BYTES = 1024 * 1024  # libmagic reads no further by default
QUARANTINE_FIELDS = ("filename", "upload_kind", "signature", "size", "sha256", "uploaded_by_id")


class UploadKind(StrEnum):
    """What an upload is for: each kind takes its own types of file."""

    EVIDENCE = "evidence"
    ATTACHMENT = "attachment"
    IMPORT = "import"
    CATALOG = "catalog"
    MAPPINGS = "mappings"


class FileRefused(ValidationFailed):
    """An upload of a type that may not be uploaded here, or not what its name says."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


class InfectedFile(FileRefused):
    """The scanner found malware: the file is in the quarantine, and that is kept."""

    keep_changes = True


@dataclass(frozen=True)
class FileType:
    """A type of file that may be uploaded: how to name it and what libmagic reports for it."""

    label: str
    detected: frozenset[str]


def _type(label: str, *detected: str) -> FileType:
    return FileType(label, frozenset(detected))


ZIP = "application/zip"
OLE = ("application/x-ole-storage", "application/CDFV2")
OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."
PLAIN = ("text/plain", "text/csv", "application/csv", "application/json")
# text libmagic names more precisely that is still only read, never run
PLAIN_KINDS = (
    "text/x-diff",
    "text/x-c",
    "text/x-c++",
    "text/x-java",
    "text/x-tex",
    "text/calendar",
    "text/rtf",
    "message/rfc822",
    "application/x-wine-extension-ini",
)
TYPES: dict[str, FileType] = {
    ".pdf": _type("a PDF document", "application/pdf"),
    ".docx": _type("a Word document", OOXML + "wordprocessingml.document", ZIP),
    ".xlsx": _type("an Excel workbook", OOXML + "spreadsheetml.sheet", ZIP),
    ".pptx": _type("a PowerPoint presentation", OOXML + "presentationml.presentation", ZIP),
    ".odt": _type("an OpenDocument text", ODF + "text", ZIP),
    ".ods": _type("an OpenDocument spreadsheet", ODF + "spreadsheet", ZIP),
    ".odp": _type("an OpenDocument presentation", ODF + "presentation", ZIP),
    ".doc": _type("a Word 97-2003 document", "application/msword", *OLE),
    ".xls": _type("an Excel 97-2003 workbook", "application/vnd.ms-excel", *OLE),
    ".ppt": _type("a PowerPoint 97-2003 presentation", "application/vnd.ms-powerpoint", *OLE),
    ".rtf": _type("a rich text document", "text/rtf", "application/rtf"),
    ".txt": _type("a text file", *PLAIN, *PLAIN_KINDS),
    ".log": _type("a text file", *PLAIN, *PLAIN_KINDS),
    ".md": _type("a text file", *PLAIN, *PLAIN_KINDS),
    ".csv": _type("a CSV file", "text/csv", "text/plain", "application/csv"),
    ".json": _type("a JSON file", "application/json", "text/plain"),
    ".xml": _type("an XML file", "text/xml", "application/xml"),
    ".png": _type("a PNG image", "image/png"),
    ".jpg": _type("a JPEG image", "image/jpeg"),
    ".jpeg": _type("a JPEG image", "image/jpeg"),
    ".gif": _type("a GIF image", "image/gif"),
    ".webp": _type("a WebP image", "image/webp"),
    ".zip": _type("a ZIP archive", ZIP),
}
DOCUMENTS = (
    "PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV, JSON, XML, PNG, JPEG, GIF, WebP "
    "or ZIP files"
)
# upload kind -> (extensions it takes, the same in words)
ACCEPTED: dict[UploadKind, tuple[frozenset[str], str]] = {
    UploadKind.EVIDENCE: (frozenset(TYPES), DOCUMENTS),
    UploadKind.ATTACHMENT: (frozenset(TYPES), DOCUMENTS),
    UploadKind.IMPORT: (frozenset({".csv", ".xlsx"}), "CSV (.csv) or Excel (.xlsx) files"),
    UploadKind.CATALOG: (
        frozenset({".json", ".csv", ".txt"}),
        "OSCAL catalogs (.json) or CSV files (.csv)",
    ),
    UploadKind.MAPPINGS: (frozenset({".csv", ".txt"}), "CSV files (.csv)"),
}
# what libmagic reports for content that is never accepted, in words
CONTENT_WORDS = {
    "application/x-dosexec": "a Windows program",
    "application/vnd.microsoft.portable-executable": "a Windows program",
    "application/x-msdos-program": "a Windows program",
    "application/x-msdownload": "a Windows program",
    "application/x-executable": "a program",
    "application/x-pie-executable": "a program",
    "application/x-sharedlib": "a program library",
    "application/x-mach-binary": "a macOS program",
    "application/x-elf": "a program",
    "text/x-shellscript": "a shell script",
    "text/x-msdos-batch": "a Windows batch script",
    "text/x-php": "a PHP script",
    "text/x-script.python": "a Python script",
    "text/x-perl": "a Perl script",
    "text/x-ruby": "a Ruby script",
    "text/javascript": "JavaScript",
    "application/javascript": "JavaScript",
    "text/html": "a web page (HTML)",
    "application/xhtml+xml": "a web page (XHTML)",
    "image/svg+xml": "an SVG image, which can hold scripts",
    "application/x-empty": "empty",
    "application/octet-stream": "not of a type that can be recognised",
    "application/zip": "a ZIP archive",
    "text/plain": "plain text",
    "application/json": "JSON",
    "application/x-ole-storage": "an Office 97-2003 document",
    "application/CDFV2": "an Office 97-2003 document",
}
MARKUP_START = b"<"


@dataclass(frozen=True)
class Screened:
    """An upload that passed: its safe name and the type libmagic found."""

    filename: str
    detected: str


def readable_size(size: int) -> str:
    """A byte count in words people read: 512 bytes, 20 KB, 1.5 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _chunks(stream: BinaryIO, name: str, max_bytes: int) -> Iterator[bytes]:
    """The stream from its start, refused as soon as it passes the limit."""
    stream.seek(0)
    size = 0
    for chunk in iter(partial(stream.read, CHUNK_SIZE), b""):
        size += len(chunk)
        if size > max_bytes:
            limit = readable_size(max_bytes)
            message = f"The file {name} is larger than the limit of {limit}"
            raise PayloadTooLarge(message, details=[{"field": "file", "message": message}])
        yield chunk


def _content_words(detected: str, head: bytes) -> str:
    if detected in CONTENT_WORDS:
        return CONTENT_WORDS[detected]
    for file_type in TYPES.values():
        if detected in file_type.detected:
            return file_type.label
    description = magic.from_buffer(head).split(",")[0].strip()[:60]
    return f"of another type ({description})" if description else "of another type"


def _is_text_with_markup(detected: str, head: bytes, suffix: str) -> bool:
    """Text that mentions tags further on (not a web page): libmagic calls it HTML."""
    text_like = TYPES[suffix].detected & {"text/plain", "text/csv"}
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    return detected == "text/html" and bool(text_like) and start != MARKUP_START


def _short_text(detected: str, head: bytes, suffix: str) -> bool:
    """A text too short for libmagic to name (a word or two) is plain text all the same."""
    if detected != "application/octet-stream" or "text/plain" not in TYPES[suffix].detected:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\r\n" for c in text)


def check_type(name: str, head: bytes, kind: UploadKind) -> str:
    """The type libmagic reads in the content; refused unless it agrees with the extension."""
    suffix = suffix_of(name).lower()
    extensions, words = ACCEPTED[kind]
    if not head:
        raise FileRefused(f"The file {name} is empty")
    if not suffix:
        raise FileRefused(
            f"The file {name} has no extension, so its type cannot be checked; "
            f"name it with the extension of its type (accepted: {words})"
        )
    if suffix not in extensions:
        raise FileRefused(
            f"The file {name} cannot be uploaded here: {suffix} files are not accepted "
            f"(accepted: {words})"
        )
    detected = magic.from_buffer(head, mime=True)
    if detected in TYPES[suffix].detected or _is_text_with_markup(detected, head, suffix):
        return detected
    if _short_text(detected, head, suffix):
        return "text/plain"
    raise FileRefused(
        f"The file {name} is not {TYPES[suffix].label}: its content is "
        f"{_content_words(detected, head)}; it was not saved"
    )


@dataclass(frozen=True)
class _Received:
    """An upload being screened: its safe name, content, kind, unit and size limit."""

    name: str
    stream: BinaryIO
    kind: UploadKind
    unit_id: int | None
    max_bytes: int


def _quarantine(
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    upload: _Received,
    signature: str,
) -> InfectedFile:
    """Keep an infected upload in the quarantine, record and audit it; the refusal to raise."""
    name, limit = upload.name, upload.max_bytes
    blob = store.put_quarantined(_chunks(upload.stream, name, limit), max_bytes=limit)
    unit = upload.unit_id if upload.unit_id is not None else min(principal.writable, default=None)
    kept = QuarantinedFile(
        filename=name,
        upload_kind=upload.kind.value,
        signature=signature,
        size=blob.size,
        sha256=blob.sha256,
        storage_key=blob.key,
        unit_id=unit,
        uploaded_by_id=principal.user_id,
    )
    session.add(kept)
    session.flush()
    after = snapshot(kept, QUARANTINE_FIELDS)
    record(session, principal, "create", "quarantined_file", kept.id, unit, after=after)
    log.warning(
        "upload quarantined",
        filename=name,
        signature=signature,
        sha256=blob.sha256,
        user_id=principal.user_id,
        quarantined_file_id=kept.id,
    )
    return InfectedFile(f"The file {name} contains {signature_name(signature)} and was not saved")


def screen(
    *,
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    filename: str | None,
    stream: BinaryIO,
    kind: UploadKind,
    unit_id: int | None,
    max_bytes: int,
) -> Screened:
    """Scan an upload (when a scanner is set), then check its type; the stream is rewound.

    `unit_id` is the unit the file was meant for (None: the uploader's), where a quarantined
    file is listed and audited.
    """
    name = safe_filename(filename)
    if store.scanner is not None:
        signature = store.scanner.scan(_chunks(stream, name, max_bytes))
        if signature is not None:
            received = _Received(name, stream, kind, unit_id, max_bytes)
            raise _quarantine(session, principal, store, received, signature)
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    return Screened(filename=name, detected=check_type(name, head, kind))


def screen_content(
    *,
    session: Session,
    principal: Principal,
    store: LocalBlobStore,
    filename: str | None,
    content: bytes,
    kind: UploadKind,
    unit_id: int | None,
    max_bytes: int,
) -> Screened:
    """`screen` for an upload already read into memory."""
    return screen(
        session=session,
        principal=principal,
        store=store,
        filename=filename,
        stream=io.BytesIO(content),
        kind=kind,
        unit_id=unit_id,
        max_bytes=max_bytes,
    )
