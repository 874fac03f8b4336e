"""Blob storage for uploaded files, streamed to disk with a size limit and a SHA-256.

Infected uploads go to a quarantine directory beside the blobs: kept for the administrators,
never served.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from aegis.core.errors import NotFound, PayloadTooLarge
from aegis.core.scanning import ClamdScanner

CHUNK_SIZE = 1024 * 1024


@dataclass(frozen=True)
class StoredBlob:
    """Where a blob was stored, its size and digest."""

    key: str
    size: int
    sha256: str


class LocalBlobStore:
    """Stores blobs as files under a root directory, named by random keys.

    Uploads are scanned by `scanner` (none: not scanned) before they are stored; infected ones
    are kept under `quarantine` (by default the directory `quarantine` beside the root).
    """

    def __init__(
        self, root: Path, *, quarantine: Path | None = None, scanner: ClamdScanner | None = None
    ) -> None:
        self.root = root
        self.quarantine = quarantine or root.parent / "quarantine"
        self.scanner = scanner

    def _path(self, key: str, root: Path | None = None) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise NotFound("Blob not found")
        return (root or self.root) / key[:2] / key

    def put(self, chunks: Iterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Write chunks to a new blob; refuse and remove it past max_bytes."""
        return self._write(self.root, chunks, max_bytes)

    def put_quarantined(self, chunks: Iterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Keep an infected upload in the quarantine, readable by the service's owner only."""
        self.quarantine.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self._write(self.quarantine, chunks, max_bytes, mode=0o600)

    def _write(
        self, root: Path, chunks: Iterable[bytes], max_bytes: int, mode: int | None = None
    ) -> StoredBlob:
        key = uuid.uuid4().hex
        path = self._path(key, root)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        digest, size = hashlib.sha256(), 0
        try:
            with partial.open("wb") as out:
                if mode is not None:
                    partial.chmod(mode)
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise PayloadTooLarge(f"File exceeds the limit of {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoredBlob(key=key, size=size, sha256=digest.hexdigest())

    def open_chunks(self, key: str) -> Iterator[bytes]:
        """Yield a blob's content in chunks."""
        path = self._path(key)
        if not path.is_file():
            raise NotFound("Blob not found")
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk

    def delete(self, key: str) -> None:
        """Remove a blob if it exists."""
        self._path(key).unlink(missing_ok=True)
