"""Uploaded files in the blob store: streamed in with a limit and a digest, served back safely."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from itertools import chain

from sqlalchemy.orm import Session

from aegis.core.encryption import keyring_of
from aegis.core.errors import ValidationFailed
from aegis.core.storage import CHUNK_SIZE, LocalBlobStore, StoredBlob
from aegis.domains.evidence import blobs
from aegis.domains.evidence.content import (
    HEAD_BYTES,
    content_disposition,
    detect_content_type,
    safe_filename,
    servable_type,
)
from aegis.domains.evidence.schemas import Download, Upload


@dataclass(frozen=True)
class StoredFile:
    """A blob written for an upload, with the name and type it will be served with."""

    blob: StoredBlob
    filename: str
    content_type: str


def store_upload(
    session: Session, store: LocalBlobStore, upload: Upload, max_bytes: int
) -> StoredFile:
    """Stream an upload into the store, encrypted; the blob goes if the transaction rolls back."""
    filename, head = safe_filename(upload.filename), bytearray()

    def chunks() -> Iterator[bytes]:
        for chunk in iter(partial(upload.stream.read, CHUNK_SIZE), b""):
            if len(head) < HEAD_BYTES:
                head.extend(chunk[: HEAD_BYTES - len(head)])
            yield chunk

    blob = store.put(chunks(), max_bytes=max_bytes, keyring=keyring_of(session))
    if blob.size == 0:
        store.delete(blob.key)
        raise ValidationFailed("The file is empty", field="file")
    blobs.written(session, store, blob.key)
    content_type = detect_content_type(filename, bytes(head), whole=blob.size <= len(head))
    return StoredFile(blob, filename, content_type)


def discard_upload(session: Session, store: LocalBlobStore, key: str) -> None:
    """Delete a blob written for an upload that was refused."""
    store.delete(key)
    blobs.forget_written(session, key)


def delete_files_after_commit(session: Session, store: LocalBlobStore, keys: list[str]) -> None:
    """Delete these blobs once the transaction that removed their rows has committed."""
    blobs.delete_after_commit(session, store, keys)


def open_download(
    session: Session,
    store: LocalBlobStore,
    *,
    key: str,
    data_key: str | None,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
) -> Download:
    """A stored file, decrypted as it streams, with safe headers.

    A missing blob, an unknown key or a damaged first chunk raises now, not mid-response.
    """
    keyring = keyring_of(session) if data_key is not None else None
    chunks = store.open_chunks(key, data_key=data_key, keyring=keyring)
    first = next(chunks, b"")
    return Download(
        filename=filename,
        content_type=servable_type(content_type),
        content_disposition=content_disposition(filename),
        size=size,
        sha256=sha256,
        chunks=chain([first], chunks),
    )
