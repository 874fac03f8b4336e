"""Sealed secrets: AES-256-GCM under the configured keys, refused when altered or misplaced."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import String
from sqlalchemy.orm import Session, mapped_column

from aegis.core.encryption import (
    KEYS_INFO,
    SEALED_INFO,
    KeyMissing,
    SealedValueInvalid,
    is_current,
    keyring_from,
    open_secret,
    parse_keyring,
    reseal,
    seal_secret,
    sealed_column,
)
from aegis.core.settings import get_settings

OLD = "old:" + "o" * 40
NEW = "new:" + "N7q" * 14
TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def session_with(keys: str) -> Session:
    """A session whose factory carries these keys, as the application's does."""
    return Session(info={KEYS_INFO: keys})


def _flip(sealed: str, position: int) -> str:
    """The sealed value with one byte of its binary part changed."""
    prefix, _, data = sealed.rpartition(":")
    raw = bytearray(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    raw[position] ^= 0x01
    return f"{prefix}:{base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}"


def test_a_secret_comes_back_from_its_sealed_form() -> None:
    session = session_with(NEW)
    sealed = seal_secret(session, TOTP, purpose="totp-secret")
    assert sealed.isascii() and sealed.startswith("aegis1:new:")
    assert TOTP not in sealed
    assert open_secret(session, sealed, purpose="totp-secret") == TOTP
    assert seal_secret(session, TOTP, purpose="totp-secret") != sealed  # a fresh nonce each time


def test_long_secrets_and_every_character_fit_a_512_column() -> None:
    session = session_with(NEW)
    for secret in ("", "é€😀\n\t", "x" * 300):
        sealed = seal_secret(session, secret, purpose="integration-credential")
        assert len(sealed) <= 512
        assert open_secret(session, sealed, purpose="integration-credential") == secret


@pytest.mark.parametrize("position", [0, 11, 12, 20, -1])  # nonce, text, tag
def test_a_changed_byte_is_refused(position: int) -> None:
    session = session_with(NEW)
    sealed = seal_secret(session, TOTP, purpose="totp-secret")
    with pytest.raises(SealedValueInvalid, match="altered"):
        open_secret(session, _flip(sealed, position), purpose="totp-secret")


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s[:-4],  # cut short
        lambda s: s[: s.rindex(":") + 20],  # cut to less than a nonce and a tag
        lambda s: s + "AAAA",  # extended
        lambda s: s.replace("aegis1:", "aegis2:"),  # unknown form
        lambda s: s.rpartition(":")[0] + ":***",  # not base64
        lambda s: TOTP,  # never sealed
        lambda s: "",
    ],
    ids=["cut", "too-short", "extended", "version", "not-base64", "plain", "empty"],
)
def test_a_damaged_or_plain_value_is_refused(damage) -> None:
    session = session_with(NEW)
    sealed = seal_secret(session, TOTP, purpose="totp-secret")
    with pytest.raises(SealedValueInvalid):
        open_secret(session, damage(sealed), purpose="totp-secret")


def test_a_value_moved_to_another_purpose_is_refused() -> None:
    session = session_with(NEW)
    sealed = seal_secret(session, TOTP, purpose="totp-secret")
    with pytest.raises(SealedValueInvalid, match="'webauthn-credential'"):
        open_secret(session, sealed, purpose="webauthn-credential")


def test_a_value_of_another_installation_is_refused() -> None:
    foreign = seal_secret(session_with("new:" + "f" * 40), TOTP, purpose="totp-secret")
    with pytest.raises(SealedValueInvalid):
        open_secret(session_with(NEW), foreign, purpose="totp-secret")


def test_a_value_relabelled_with_another_configured_key_is_refused() -> None:
    session = session_with(f"{NEW},{OLD}")
    sealed = seal_secret(session, TOTP, purpose="totp-secret")
    with pytest.raises(SealedValueInvalid):
        open_secret(session, sealed.replace(":new:", ":old:"), purpose="totp-secret")


def test_no_configured_key_is_a_clear_error() -> None:
    with pytest.raises(KeyMissing, match="AEGIS_KEY_ENCRYPTION_KEYS"):
        seal_secret(session_with(""), TOTP, purpose="totp-secret")


def test_a_value_of_a_removed_key_names_the_key() -> None:
    sealed = seal_secret(session_with(OLD), TOTP, purpose="totp-secret")
    with pytest.raises(KeyMissing, match="'old' is not configured"):
        open_secret(session_with(NEW), sealed, purpose="totp-secret")


def test_older_keys_open_until_the_value_is_sealed_again() -> None:
    sealed = seal_secret(session_with(OLD), TOTP, purpose="totp-secret")
    both = session_with(f"{NEW},{OLD}")
    assert open_secret(both, sealed, purpose="totp-secret") == TOTP
    keyring = keyring_from(f"{NEW},{OLD}")
    assert not is_current(keyring, sealed)
    again = reseal(keyring, sealed, purpose="totp-secret")
    assert is_current(keyring, again) and again.startswith("aegis1:new:")
    assert open_secret(session_with(NEW), again, purpose="totp-secret") == TOTP


def test_a_session_without_keys_uses_those_of_the_settings(db) -> None:
    sealed = seal_secret(db, TOTP, purpose="totp-secret")
    configured = session_with(get_settings().key_encryption_keys)
    assert open_secret(configured, sealed, purpose="totp-secret") == TOTP


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "names no key"),
        (" , ", "names no key"),
        ("o" * 40, "id:secret"),
        ("bad id:" + "o" * 40, "id:secret"),
        ("k1:" + "o" * 31, "'k1' is shorter than 32"),
        ("k1:" + " " * 40, "'k1' is shorter than 32"),
        ("k1:short-secret", "'k1' is shorter than 32"),
        (f"{OLD},{OLD}", "'old' twice"),
        (f"{OLD},OLD:{'p' * 40}", "'OLD' twice"),
    ],
)
def test_unusable_key_lists_are_refused_without_repeating_a_secret(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as refused:
        parse_keyring(text)
    assert "short-secret" not in str(refused.value) and "o" * 10 not in str(refused.value)


def test_the_first_key_is_current_and_repr_shows_no_key() -> None:
    keyring = parse_keyring(f" {NEW} , {OLD} ")
    assert keyring.current_id == "new" and set(keyring.keys) == {"new", "old"}
    assert all(len(key) == 32 for key in keyring.keys.values())
    assert "N7q" not in repr(keyring) and "b'" not in repr(keyring)


def test_a_sealed_column_declares_its_purpose_and_refuses_a_bad_one() -> None:
    column = mapped_column(String(512), info=sealed_column("totp-secret"))
    assert column.column.info[SEALED_INFO] == "totp-secret"
    with pytest.raises(ValueError, match="invalid purpose"):
        sealed_column("two words")
