"""Secrets sealed at rest with AES-256-GCM under the key-encryption keys of the settings.

A sealed value is ASCII text: `aegis1:<key id>:<base64url of nonce, ciphertext and tag>`.
It names the key that sealed it, so older keys keep opening their values until
`aegis keys rotate` seals everything again with the current key. The purpose of a value
(what it is for, such as "totp-secret") is bound to it as associated data: a value moved to
another purpose, altered, cut or sealed under a foreign key is refused, never returned.

The keys travel in a session factory's `info` (like the audit chain key), else they are
those of the process's settings, so any code holding a Session can seal and open.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

KEYS_INFO = "key_encryption_keys"  # where a session factory's `info` carries the keys
SEALED_INFO = "sealed_purpose"  # a column's `info` entry naming the purpose of its values
PREFIX = "aegis1"  # version of the sealed form below
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
PURPOSE = re.compile(r"[A-Za-z0-9_.:/-]{1,100}")
MIN_KEY_LENGTH = 32
NONCE_BYTES = 12
TAG_BYTES = 16
GENERATED_KEY_ID = "instance"  # id of the key generated under the data directory


class EncryptionError(Exception):
    """Base of every failure to seal or open a value."""


class KeyMissing(EncryptionError):
    """No key-encryption key is configured, or the one a value names is not."""


class SealedValueInvalid(EncryptionError):
    """A sealed value is malformed, altered, of another purpose or sealed by a foreign key."""


@dataclass(frozen=True)
class Keyring:
    """The key-encryption keys by id; the current one seals, every one opens."""

    current_id: str
    keys: dict[str, bytes] = field(repr=False)

    def key(self, key_id: str) -> bytes:
        """The key of this id, or KeyMissing naming it."""
        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyMissing(
                f"The key-encryption key {key_id!r} is not configured "
                "(AEGIS_KEY_ENCRYPTION_KEYS): add it back to open what it sealed"
            ) from None


def derive(secret: str) -> bytes:
    """The 256-bit AES key of a configured secret (HKDF-SHA256)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"aegis key-encryption key")
    return hkdf.derive(secret.encode())


@lru_cache(maxsize=16)
def parse_keyring(text: str) -> Keyring:
    """Keys written `id:secret,id:secret,...`, the first one current; ValueError if unusable."""
    keys: dict[str, bytes] = {}
    current = ""
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        key_id, colon, secret = entry.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not colon or not KEY_ID.fullmatch(key_id):
            raise ValueError(
                "must list keys as id:secret separated by commas, each id made of letters, "
                "digits, '-' or '_' (at most 32)"
            )
        if key_id.lower() in (known.lower() for known in keys):  # databases may ignore case
            raise ValueError(f"names the key id {key_id!r} twice")
        if len(secret) < MIN_KEY_LENGTH:
            raise ValueError(f"key {key_id!r} is shorter than {MIN_KEY_LENGTH} characters")
        keys[key_id] = derive(secret)
        current = current or key_id
    if not keys:
        raise ValueError("names no key")
    return Keyring(current_id=current, keys=keys)


def keyring_from(configured: Any) -> Keyring:
    """A keyring from what a session's `info` or the settings hold (text or a Keyring)."""
    if isinstance(configured, Keyring):
        return configured
    if not configured or not str(configured).strip():
        raise KeyMissing(
            "No key-encryption key is configured: set AEGIS_KEY_ENCRYPTION_KEYS "
            "(see docs/encryption-at-rest.md)"
        )
    try:
        return parse_keyring(str(configured))
    except ValueError as exc:
        raise KeyMissing(f"AEGIS_KEY_ENCRYPTION_KEYS {exc}") from None


def keyring_of(session: Session) -> Keyring:
    """The keys of a session (its factory's `info`), else those of the process's settings."""
    if KEYS_INFO in session.info:
        return keyring_from(session.info[KEYS_INFO])
    from aegis.core.settings import get_settings  # here: the settings import this module

    return keyring_from(get_settings().key_encryption_keys)


def _associated(key_id: str, purpose: str) -> bytes:
    if not PURPOSE.fullmatch(purpose):
        raise ValueError(f"invalid purpose {purpose!r}")
    return f"{PREFIX}\x00{key_id}\x00{purpose}".encode()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal_bytes(keyring: Keyring, data: bytes, *, purpose: str) -> str:
    """Seal bytes with the current key."""
    key_id = keyring.current_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(keyring.key(key_id)).encrypt(nonce, data, _associated(key_id, purpose))
    return f"{PREFIX}:{key_id}:{_b64encode(nonce + sealed)}"


def sealed_key_id(sealed: str) -> str:
    """The id of the key that sealed a value; SealedValueInvalid if it is not a sealed value."""
    parts = sealed.split(":") if isinstance(sealed, str) else []
    if len(parts) != 3 or parts[0] != PREFIX or not KEY_ID.fullmatch(parts[1]):
        raise SealedValueInvalid("The value is not sealed in a form Aegis knows")
    return parts[1]


def open_bytes(keyring: Keyring, sealed: str, *, purpose: str) -> bytes:
    """The bytes of a sealed value; SealedValueInvalid unless intact and of this purpose."""
    key_id = sealed_key_id(sealed)
    key = keyring.key(key_id)
    try:
        raw = _b64decode(sealed.split(":")[2])
    except (binascii.Error, ValueError):
        raise SealedValueInvalid("The sealed value is damaged") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise SealedValueInvalid("The sealed value is damaged")
    try:
        return AESGCM(key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated(key_id, purpose)
        )
    except InvalidTag:
        raise SealedValueInvalid(
            f"The sealed value does not open with key {key_id!r} for {purpose!r}: "
            "it was altered, belongs elsewhere or the key differs"
        ) from None


def seal_secret(session: Session, plaintext: str, *, purpose: str) -> str:
    """Seal a secret (e.g. a TOTP secret) for a column; ASCII, about 4/3 of the text + 40."""
    return seal_bytes(keyring_of(session), plaintext.encode(), purpose=purpose)


def open_secret(session: Session, sealed: str, *, purpose: str) -> str:
    """The secret of a sealed value; KeyMissing or SealedValueInvalid instead of garbage."""
    data = open_bytes(keyring_of(session), sealed, purpose=purpose)
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise SealedValueInvalid("The sealed value holds no text") from None


def is_current(keyring: Keyring, sealed: str) -> bool:
    """Whether a value is sealed with the current key (rotation leaves it as it is)."""
    return sealed_key_id(sealed) == keyring.current_id


def reseal(keyring: Keyring, sealed: str, *, purpose: str) -> str:
    """The same value sealed with the current key."""
    return seal_bytes(keyring, open_bytes(keyring, sealed, purpose=purpose), purpose=purpose)


def sealed_column(purpose: str) -> dict[str, str]:
    """The `info` of a column holding values sealed for this purpose (`aegis keys rotate`).

    Usage: `mapped_column(String(512), info=sealed_column("totp-secret"))`.
    """
    _associated(GENERATED_KEY_ID, purpose)
    return {SEALED_INFO: purpose}
