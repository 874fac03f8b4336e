"""Blob storage for uploaded files, streamed to disk with a size limit and a SHA-256."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from aegis.core.errors import NotFound, PayloadTooLarge

CHUNK_SIZE = 1024 * 1024


@dataclass(frozen=True)
class StoredBlob:
    """Where a blob was stored, its size and digest."""

    key: str
    size: int
    sha256: str


class LocalBlobStore:
    """Stores blobs as files under a root directory, named by random keys."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise NotFound("Blob not found")
        return self.root / key[:2] / key

    def put(self, chunks: Iterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Write chunks to a new blob; refuse and remove it past max_bytes."""
        key = uuid.uuid4().hex
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        digest, size = hashlib.sha256(), 0
        try:
            with partial.open("wb") as out:
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
