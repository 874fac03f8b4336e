"""AEGIS_KEY_ENCRYPTION_KEYS: generated outside production, required and checked in production."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from aegis.core.encryption import parse_keyring
from aegis.core.settings import ConfigurationError, Settings

SECRET = "k3Jq9vXz2LmN8pR4tW6yB1cD5fG7hJ0aQsEuIoP"
JWT = "Zx8Cv6Bn4Mq2Wr0Ty9Ui7Op5As3Df1Gh-JkLpO"
CHAIN = "Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8Lz0Xc-VbNmM"
KEK = "Hy7Gt5Fr3De1Sw9Aq8Zx6Cv4Bn2Mk0Lp-OiUyT"
OLDER = "Pl0Ok9Ij8Uh7Yg6Tf5Rd4Es3Wa2Qz1Xc-VbNmA"


def settings(monkeypatch: pytest.MonkeyPatch, data_dir: Path, **env: str) -> Settings:
    for name in ("AEGIS_KEY_ENCRYPTION_KEYS", "KEY_ENCRYPTION_KEYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AEGIS_DATA_DIR", str(data_dir))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def production(monkeypatch: pytest.MonkeyPatch, data_dir: Path, keys: str | None) -> Settings:
    env = {
        "AEGIS_ENV": "production",
        "SECRET_KEY": SECRET,
        "JWT_SECRET_KEY": JWT,
        "AUDIT_CHAIN_KEY": CHAIN,
        "DATABASE_URL": "postgresql://aegis@db/aegis",
    }
    if keys is not None:
        env["AEGIS_KEY_ENCRYPTION_KEYS"] = keys
    return settings(monkeypatch, data_dir, **env)


def test_development_generates_a_key_kept_for_the_owner_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = settings(monkeypatch, tmp_path, AEGIS_ENV="development")
    kept = tmp_path / "secrets" / "key_encryption_key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert first.key_encryption_keys == f"instance:{kept.read_text().strip()}"
    assert parse_keyring(first.key_encryption_keys).current_id == "instance"
    again = settings(monkeypatch, tmp_path, AEGIS_ENV="development")
    assert again.key_encryption_keys == first.key_encryption_keys
    assert kept.read_text().strip() not in repr(again)


def test_production_with_a_current_and_an_older_key_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    configured = production(monkeypatch, tmp_path, f"2026-06:{KEK}, 2025_12:{OLDER}")
    assert configured.check() is configured
    keyring = parse_keyring(configured.key_encryption_keys)
    assert (keyring.current_id, set(keyring.keys)) == ("2026-06", {"2026-06", "2025_12"})
    assert not (tmp_path / "secrets").exists()


@pytest.mark.parametrize(
    ("keys", "reason"),
    [
        (None, "AEGIS_KEY_ENCRYPTION_KEYS is not set"),
        ("", "AEGIS_KEY_ENCRYPTION_KEYS is not set"),
        (f"k1:{KEK},k0:short-but-not-empty", "key 'k0' is shorter than 32 characters"),
        ("k1:<change-me-to-a-long-random-secret-value>", "key 'k1' looks like a placeholder"),
        (f"k1:{SECRET}", "key 'k1' must differ from SECRET_KEY"),
        (f"k1:{CHAIN}", "key 'k1' must differ from SECRET_KEY, JWT_SECRET_KEY and AUDIT"),
    ],
)
def test_production_refuses_unsafe_keys_without_quoting_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, keys: str | None, reason: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        production(monkeypatch, tmp_path, keys).check()
    assert reason in str(refused.value)
    for secret in (KEK, SECRET, CHAIN, "short-but-not-empty", "change-me"):
        assert secret not in str(refused.value)
    assert not (tmp_path / "secrets").exists()


@pytest.mark.parametrize("env", ["development", "production"])
def test_a_malformed_list_is_refused_in_every_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: str
) -> None:
    with pytest.raises(ConfigurationError, match="id:secret") as refused:
        production(monkeypatch, tmp_path, KEK) if env == "production" else settings(
            monkeypatch, tmp_path, AEGIS_ENV=env, AEGIS_KEY_ENCRYPTION_KEYS=KEK
        )
    assert KEK not in str(refused.value)
