"""Settings never show a secret when printed: keys and passwords hidden, URLs without password."""

from __future__ import annotations

from pathlib import Path

import pytest

from aegis.core.redaction import HIDDEN, without_password
from aegis.core.settings import Settings

SECRET_WORDS = ("key", "password", "secret", "token", "pepper")


def _secret_fields() -> list[str]:
    """Every text setting whose name says it holds a secret (other settings are numbers)."""
    return [
        name
        for name, field in Settings.model_fields.items()
        if field.annotation in (str, "str") and any(word in name for word in SECRET_WORDS)
    ]


def test_repr_and_str_hide_every_secret_setting_and_url_password(tmp_path: Path) -> None:
    fields = _secret_fields()
    assert {"secret_key", "jwt_secret_key", "audit_chain_key", "smtp_password"} <= set(fields)
    values = {name: f"Vq7{name.replace('_', '')}Zk42Lw9Xp3Rt8Mn5" for name in fields}
    if "key_encryption_keys" in values:  # id:secret pairs
        values["key_encryption_keys"] = f"k1:{values['key_encryption_keys']}"
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        database_url="mysql://aegis:Db-pass-0x7Fq2@db.internal:3306/aegis",
        redis_url="redis://:Redis-pass-9Kz4@cache:6379/0",
        smtp_username="mailer",
        **values,
    )
    for name, value in values.items():
        assert getattr(settings, name) == value  # the application still reads the real value
    for shown in (repr(settings), str(settings), f"{settings!r}"):
        assert "Db-pass-0x7Fq2" not in shown and "Redis-pass-9Kz4" not in shown
        for value in values.values():
            assert value.split(":")[-1] not in shown
        assert f"secret_key='{HIDDEN}'" in shown and f"smtp_password='{HIDDEN}'" in shown
        assert f"database_url='mysql://aegis:{HIDDEN}@db.internal:3306/aegis'" in shown
        assert f"redis_url='redis://:{HIDDEN}@cache:6379/0'" in shown
        assert "smtp_username='mailer'" in shown and "env='test'" in shown


def test_a_secret_left_empty_shows_as_empty(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path, smtp_password="", anthropic_api_key="")
    assert "smtp_password=''" in repr(settings) and "anthropic_api_key=''" in repr(settings)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sqlite:///var/aegis.db", "sqlite:///var/aegis.db"),
        ("postgresql://aegis@db/aegis", "postgresql://aegis@db/aegis"),
        ("mysql://u:p@ss:w@rd@db:3306/x", f"mysql://u:{HIDDEN}@db:3306/x"),
        ("redis://:only-a-password@cache", f"redis://:{HIDDEN}@cache"),
        ("http://user:pw@[::1", HIDDEN),  # unreadable: hidden whole
    ],
)
def test_urls_lose_only_their_password(url: str, shown: str) -> None:
    assert without_password(url) == shown
