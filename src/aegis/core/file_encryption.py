"""Files encrypted with AES-256-GCM as a stream of chunks, each one checked on reading.

A file starts with a header (magic, format, chunk size); then every chunk of `chunk_size`
plaintext bytes (the last one shorter, possibly empty) is sealed on its own with the file's
data key. A chunk's nonce and associated data carry its index and whether it is the last,
so a reordered, repeated, cut or extended file fails to open instead of yielding altered
content. Each file has its own random data key, which is why nonces can count from zero.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aegis.core.encryption import SealedValueInvalid

MAGIC = b"AEGISF"
VERSION = 1
HEADER = struct.Struct(">6sBI")  # magic, version, plaintext bytes per chunk
DEFAULT_CHUNK_SIZE = 1024 * 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
TAG_BYTES = 16
DATA_KEY_BYTES = 32


class FileDamaged(SealedValueInvalid):
    """An encrypted file is cut, reordered, altered or not encrypted with this key."""


def new_data_key() -> bytes:
    """A random AES-256 key for one file."""
    return os.urandom(DATA_KEY_BYTES)


def _nonce(index: int, last: bool) -> bytes:
    return struct.pack(">QBxxx", index, 1 if last else 0)


def _associated(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if last else 0)


def _pieces(chunks: Iterable[bytes], size: int) -> Iterator[tuple[bytes, bool]]:
    """The plaintext cut into pieces of `size` bytes, each with whether it is the last."""
    buffer = bytearray()
    pending: bytes | None = None
    for chunk in chunks:
        buffer.extend(chunk)
        while len(buffer) >= size:
            if pending is not None:
                yield pending, False
            pending = bytes(buffer[:size])
            del buffer[:size]
    if pending is not None and buffer:
        yield pending, False
        pending = None
    yield (bytes(buffer) if pending is None else pending), True


def encrypt_chunks(
    data_key: bytes, chunks: Iterable[bytes], *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[bytes]:
    """The encrypted form of a plaintext stream: the header, then one sealed chunk at a time."""
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError("chunk size out of range")
    header = HEADER.pack(MAGIC, VERSION, chunk_size)
    cipher = AESGCM(data_key)
    yield header
    for index, (piece, last) in enumerate(_pieces(chunks, chunk_size)):
        yield cipher.encrypt(_nonce(index, last), piece, _associated(header, index, last))


def _read_exactly(read: Callable[[int], bytes], size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        part = read(size - len(data))
        if not part:
            break
        data.extend(part)
    return bytes(data)


def decrypt_chunks(data_key: bytes, read: Callable[[int], bytes]) -> Iterator[bytes]:
    """The plaintext of an encrypted stream, chunk by chunk, each checked before it is given.

    `read(n)` returns up to n bytes (b"" at the end), like a file's read.
    """
    header = _read_exactly(read, HEADER.size)
    if len(header) != HEADER.size:
        raise FileDamaged("The encrypted file is cut short")
    magic, version, chunk_size = HEADER.unpack(header)
    if magic != MAGIC or version != VERSION or not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise FileDamaged("The file is not encrypted in a form Aegis knows")
    cipher, block = AESGCM(data_key), chunk_size + TAG_BYTES
    current = _read_exactly(read, block)
    index = 0
    while True:
        following = _read_exactly(read, block) if len(current) == block else b""
        last = not following
        if len(current) < TAG_BYTES:
            raise FileDamaged("The encrypted file is cut short")
        try:
            yield cipher.decrypt(_nonce(index, last), current, _associated(header, index, last))
        except InvalidTag:
            raise FileDamaged(
                f"The encrypted file does not open at chunk {index}: it was altered, cut or "
                "reordered, or its data key is not its own"
            ) from None
        if last:
            return
        current, index = following, index + 1
