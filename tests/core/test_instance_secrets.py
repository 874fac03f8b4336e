"""Secrets outside production: generated once per instance, kept for the owner only, no constant."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from aegis.core.settings import ConfigurationError, Settings

ROOT = Path(__file__).resolve().parents[2]
OLD_CONSTANT = "aegis-development-only-secret-do-not-use-in-production"


def development(monkeypatch: pytest.MonkeyPatch, data_dir: Path, **env: str) -> Settings:
    for name in ("AEGIS_ENV", "SECRET_KEY", "JWT_SECRET_KEY", "AEGIS_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AEGIS_JWT_SECRET_KEY", "AUDIT_CHAIN_KEY", "AEGIS_AUDIT_CHAIN_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AEGIS_DATA_DIR", str(data_dir))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_secrets_are_generated_once_for_the_owner_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = development(monkeypatch, tmp_path)
    folder = tmp_path / "secrets"
    assert mode(folder) == 0o700
    assert {path.name for path in folder.iterdir()} == {
        "secret_key",
        "jwt_secret_key",
        "audit_chain_key",
        "key_encryption_key",
    }
    assert all(mode(path) == 0o600 for path in folder.iterdir())
    assert first.secret_key == (folder / "secret_key").read_text().strip()
    assert first.jwt_secret_key == (folder / "jwt_secret_key").read_text().strip()
    assert first.audit_chain_key == (folder / "audit_chain_key").read_text().strip()
    assert first.audit_chain_key not in (first.secret_key, first.jwt_secret_key)
    assert len(first.secret_key) >= 43 and first.secret_key != first.jwt_secret_key
    assert OLD_CONSTANT not in (first.secret_key, first.jwt_secret_key)

    again = development(monkeypatch, tmp_path)
    assert (again.secret_key, again.jwt_secret_key) == (first.secret_key, first.jwt_secret_key)
    assert again.audit_chain_key == first.audit_chain_key

    other = development(monkeypatch, tmp_path / "other-instance")
    assert other.secret_key != first.secret_key
    assert other.jwt_secret_key != first.jwt_secret_key
    assert other.audit_chain_key != first.audit_chain_key


def test_configured_secrets_are_used_and_nothing_is_generated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = development(
        monkeypatch,
        tmp_path,
        SECRET_KEY="s" * 40,
        JWT_SECRET_KEY="j" * 40,
        AUDIT_CHAIN_KEY="a" * 40,
        AEGIS_KEY_ENCRYPTION_KEYS="k1:" + "k" * 40,
    )
    assert (settings.secret_key, settings.jwt_secret_key) == ("s" * 40, "j" * 40)
    assert settings.audit_chain_key == "a" * 40
    assert not (tmp_path / "secrets").exists()


def test_a_kept_secret_readable_by_others_is_narrowed_to_its_owner(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = development(monkeypatch, tmp_path)
    kept = tmp_path / "secrets" / "secret_key"
    kept.chmod(0o644)
    assert development(monkeypatch, tmp_path).secret_key == first.secret_key
    assert mode(kept) == 0o600


def test_an_unusable_kept_secret_stops_the_start_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "secret_key").write_text("short\n")
    with pytest.raises(ConfigurationError, match=r"secrets/secret_key holds no usable secret"):
        development(monkeypatch, tmp_path)


def test_production_still_refuses_to_start_without_configured_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = development(
        monkeypatch,
        tmp_path,
        AEGIS_ENV="production",
        DATABASE_URL="postgresql://aegis@db/aegis",
    )
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        settings.check()
    assert not (tmp_path / "secrets").exists()


def test_no_secret_is_a_constant_in_the_source() -> None:
    assigned = re.compile(r"(?i)^\s*\w*(secret|signing_key)\w*\s*(:\s*\w+\s*)?=\s*[\"'][^\"']{8,}")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "src").rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if assigned.search(line) or OLD_CONSTANT in line
    ]
    assert offenders == []
