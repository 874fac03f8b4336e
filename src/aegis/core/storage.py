"""Blob storage for uploaded files, streamed to disk with a size limit and a SHA-256.

Given a keyring, a blob is encrypted as it is written (core/file_encryption) under a random
data key of its own, returned wrapped by the current key-encryption key to be kept with the
blob's record; the size and SHA-256 are those of the plaintext. Infected uploads go to a
quarantine directory beside the blobs, as they came (for the administrators' own analysis
tools): readable by the service's owner only, never served.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from aegis.core.encryption import Keyring, open_bytes, seal_bytes
from aegis.core.errors import NotFound, PayloadTooLarge
from aegis.core.file_encryption import decrypt_chunks, encrypt_chunks, new_data_key
from aegis.core.scanning import ClamdScanner

CHUNK_SIZE = 1024 * 1024
DATA_KEY_PURPOSE = "file-data-key"  # associated data of every wrapped data key


@dataclass(frozen=True)
class StoredBlob:
    """Where a blob was stored, its size and digest; its wrapped data key when encrypted."""

    key: str
    size: int
    sha256: str
    data_key: str | None = None


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

    def put(
        self, chunks: Iterable[bytes], *, max_bytes: int, keyring: Keyring | None = None
    ) -> StoredBlob:
        """Write chunks to a new blob (encrypted given a keyring); refuse past max_bytes."""
        return self._write(self.root, chunks, max_bytes, keyring=keyring)

    def put_quarantined(self, chunks: Iterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Keep an infected upload in the quarantine, readable by the service's owner only."""
        self.quarantine.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self._write(self.quarantine, chunks, max_bytes, mode=0o600)

    def _write(
        self,
        root: Path,
        chunks: Iterable[bytes],
        max_bytes: int,
        mode: int | None = None,
        keyring: Keyring | None = None,
    ) -> StoredBlob:
        key = uuid.uuid4().hex
        path = self._path(key, root)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        digest, size = hashlib.sha256(), 0

        def counted() -> Iterator[bytes]:
            nonlocal size
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(f"File exceeds the limit of {max_bytes} bytes")
                digest.update(chunk)
                yield chunk

        data_key = new_data_key() if keyring is not None else None
        wrapped = None  # wrapped first: a key that cannot seal leaves no file behind
        if keyring is not None and data_key is not None:
            wrapped = seal_bytes(keyring, data_key, purpose=DATA_KEY_PURPOSE)
        try:
            with partial.open("wb") as out:
                if mode is not None:
                    partial.chmod(mode)
                written = counted() if data_key is None else encrypt_chunks(data_key, counted())
                for block in written:
                    out.write(block)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoredBlob(key=key, size=size, sha256=digest.hexdigest(), data_key=wrapped)

    def open_chunks(
        self, key: str, *, data_key: str | None = None, keyring: Keyring | None = None
    ) -> Iterator[bytes]:
        """Yield a blob's content in chunks, decrypted when it has a (wrapped) data key.

        A damaged encrypted blob raises FileDamaged at the first chunk that does not open.
        """
        path = self._path(key)
        if not path.is_file():
            raise NotFound("Blob not found")
        if data_key is not None:
            if keyring is None:
                raise ValueError("an encrypted blob needs the keyring to be opened")
            plain_key = open_bytes(keyring, data_key, purpose=DATA_KEY_PURPOSE)
            with path.open("rb") as handle:
                yield from decrypt_chunks(plain_key, handle.read)
            return
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk

    def delete(self, key: str) -> None:
        """Remove a blob if it exists."""
        self._path(key).unlink(missing_ok=True)

    def delete_quarantined(self, key: str) -> None:
        """Remove a quarantined upload if it exists."""
        self._path(key, self.quarantine).unlink(missing_ok=True)

    def has_quarantined(self, key: str) -> bool:
        """Whether a quarantined upload is still on disk."""
        return self._path(key, self.quarantine).is_file()
