"""Encrypted files: chunked AES-256-GCM, streamed both ways, refused when altered in any way."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from aegis.core.encryption import SealedValueInvalid, open_bytes, parse_keyring
from aegis.core.errors import PayloadTooLarge
from aegis.core.file_encryption import (
    HEADER,
    TAG_BYTES,
    FileDamaged,
    decrypt_chunks,
    encrypt_chunks,
    new_data_key,
)
from aegis.core.storage import DATA_KEY_PURPOSE, LocalBlobStore

SIZE = 16  # plaintext bytes per chunk in these tests
BLOCK = SIZE + TAG_BYTES
KEYRING = parse_keyring("k1:" + "s" * 40)


def encrypt(key: bytes, plain: bytes, pieces: int = 7) -> bytes:
    """The encrypted form of `plain`, fed in pieces of an unrelated size."""
    parts = [plain[i : i + pieces] for i in range(0, len(plain), pieces)]
    return b"".join(encrypt_chunks(key, parts, chunk_size=SIZE))


def decrypt(key: bytes, data: bytes) -> bytes:
    return b"".join(decrypt_chunks(key, io.BytesIO(data).read))


@pytest.mark.parametrize("length", [0, 1, SIZE - 1, SIZE, SIZE + 1, 3 * SIZE, 5 * SIZE + 3])
def test_every_length_comes_back_unchanged(length: int) -> None:
    key, plain = new_data_key(), os.urandom(length)
    data = encrypt(key, plain)
    chunks = -(-length // SIZE) or 1
    assert len(data) == HEADER.size + length + chunks * TAG_BYTES
    assert decrypt(key, data) == plain


def test_decryption_gives_one_chunk_at_a_time() -> None:
    key, plain = new_data_key(), os.urandom(4 * SIZE + 5)
    chunks = list(decrypt_chunks(key, io.BytesIO(encrypt(key, plain)).read))
    assert [len(c) for c in chunks] == [SIZE, SIZE, SIZE, SIZE, 5]


def test_the_encrypted_form_shows_nothing_of_the_content() -> None:
    plain = b"CONFIDENTIAL-" * 20
    data = encrypt(new_data_key(), plain)
    assert b"CONFIDENTIAL" not in data
    assert encrypt(new_data_key(), plain) != data  # each file its own key


def _blocks(data: bytes) -> tuple[bytes, list[bytes]]:
    body = data[HEADER.size :]
    return data[: HEADER.size], [body[i : i + BLOCK] for i in range(0, len(body), BLOCK)]


def _damaged(data: bytes, how: str) -> bytes:
    header, blocks = _blocks(data)
    if how == "changed-byte":
        body = bytearray(data)
        body[HEADER.size + BLOCK + 3] ^= 0x80
        return bytes(body)
    if how == "changed-tag":
        return data[:-1] + bytes([data[-1] ^ 1])
    if how == "changed-chunk-size":
        return HEADER.pack(b"AEGISF", 1, SIZE + 1) + data[HEADER.size :]
    if how == "reordered":
        return header + b"".join([blocks[1], blocks[0], *blocks[2:]])
    if how == "repeated":
        return header + b"".join([blocks[0], *blocks[:-1], blocks[-1]])
    if how == "cut-at-chunk":
        return header + b"".join(blocks[:-1])
    if how == "cut-inside-chunk":
        return data[:-5]
    if how == "cut-to-header":
        return header
    if how == "cut-inside-header":
        return data[:4]
    if how == "last-chunk-dropped-of-exact-file":
        return header + b"".join(blocks[:2])
    if how == "extended":
        return data + blocks[1]
    if how == "not-encrypted":
        return b"%PDF-1.7 plain file of any length at all" * 3
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "changed-byte",
        "changed-tag",
        "changed-chunk-size",
        "reordered",
        "repeated",
        "cut-at-chunk",
        "cut-inside-chunk",
        "cut-to-header",
        "cut-inside-header",
        "last-chunk-dropped-of-exact-file",
        "extended",
        "not-encrypted",
    ],
)
def test_an_altered_file_is_refused_never_returned(how: str) -> None:
    key = new_data_key()
    length = 3 * SIZE if how == "last-chunk-dropped-of-exact-file" else 3 * SIZE + 5
    data = encrypt(key, os.urandom(length))
    with pytest.raises(FileDamaged):
        decrypt(key, _damaged(data, how))


def test_a_file_does_not_open_with_another_files_key() -> None:
    data = encrypt(new_data_key(), b"evidence")
    with pytest.raises(FileDamaged, match="chunk 0"):
        decrypt(new_data_key(), data)


def test_a_damaged_chunk_stops_the_stream_after_the_intact_ones() -> None:
    key, plain = new_data_key(), os.urandom(3 * SIZE)
    damaged = bytearray(encrypt(key, plain))
    damaged[HEADER.size + 2 * BLOCK] ^= 1
    chunks = decrypt_chunks(key, io.BytesIO(bytes(damaged)).read)
    assert next(chunks) + next(chunks) == plain[: 2 * SIZE]
    with pytest.raises(FileDamaged, match="chunk 2"):
        next(chunks)


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def _on_disk(store: LocalBlobStore, key: str) -> bytes:
    return (store.root / key[:2] / key).read_bytes()


def test_the_store_encrypts_a_multi_chunk_file_and_streams_it_back(store) -> None:
    plain = os.urandom(2 * 1024 * 1024 + 123)  # three chunks of the store's size
    blob = store.put(
        (plain[i : i + 65536] for i in range(0, len(plain), 65536)),
        max_bytes=len(plain),
        keyring=KEYRING,
    )
    assert (blob.size, blob.sha256) == (len(plain), hashlib.sha256(plain).hexdigest())
    assert blob.data_key is not None and blob.data_key.startswith("aegis1:k1:")
    assert len(blob.data_key) <= 255
    assert plain[:64] not in _on_disk(store, blob.key)
    chunks = list(store.open_chunks(blob.key, data_key=blob.data_key, keyring=KEYRING))
    assert len(chunks) == 3 and max(len(c) for c in chunks) == 1024 * 1024
    assert b"".join(chunks) == plain


def test_the_store_keeps_an_empty_file_encrypted(store) -> None:
    blob = store.put([], max_bytes=10, keyring=KEYRING)
    assert (blob.size, blob.sha256) == (0, hashlib.sha256(b"").hexdigest())
    assert len(_on_disk(store, blob.key)) == HEADER.size + TAG_BYTES
    assert list(store.open_chunks(blob.key, data_key=blob.data_key, keyring=KEYRING)) == [b""]


def test_a_wrapped_data_key_opens_for_files_only(store) -> None:
    blob = store.put([b"x"], max_bytes=10, keyring=KEYRING)
    assert blob.data_key is not None
    assert len(open_bytes(KEYRING, blob.data_key, purpose=DATA_KEY_PURPOSE)) == 32
    with pytest.raises(SealedValueInvalid):
        open_bytes(KEYRING, blob.data_key, purpose="totp-secret")


def test_an_altered_blob_on_disk_is_refused_by_the_store(store) -> None:
    blob = store.put([b"policy text " * 10], max_bytes=1000, keyring=KEYRING)
    path = store.root / blob.key[:2] / blob.key
    content = bytearray(path.read_bytes())
    content[-20] ^= 1
    path.write_bytes(bytes(content))
    with pytest.raises(FileDamaged):
        b"".join(store.open_chunks(blob.key, data_key=blob.data_key, keyring=KEYRING))


def test_an_oversized_encrypted_upload_leaves_nothing(store) -> None:
    with pytest.raises(PayloadTooLarge):
        store.put([b"a" * 600, b"b" * 600], max_bytes=1000, keyring=KEYRING)
    assert not [p for p in store.root.rglob("*") if p.is_file()]


def test_without_a_keyring_the_store_writes_as_given(store) -> None:
    blob = store.put([b"kept for a form"], max_bytes=100)
    assert blob.data_key is None
    assert _on_disk(store, blob.key) == b"kept for a form"
    assert b"".join(store.open_chunks(blob.key)) == b"kept for a form"
