"""Settings: checklist variable names, and production refusing unsafe values."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aegis.core.settings import ConfigurationError, Settings

STRONG = "k3Jq9vXz2LmN8pR4tW6yB1cD5fG7hJ0aQsEuIoP"
STRONG_JWT = "Zx8Cv6Bn4Mq2Wr0Ty9Ui7Op5As3Df1Gh-JkLpO"
STRONG_CHAIN = "Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8Lz0Xc-VbNmM"
STRONG_KEKS = "2026:Hy7Gt5Fr3De1Sw9Aq8Zx6Cv4Bn2Mk0Lp-OiUyT"


def production(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    values = {
        "AEGIS_ENV": "production",
        "SECRET_KEY": STRONG,
        "JWT_SECRET_KEY": STRONG_JWT,
        "AUDIT_CHAIN_KEY": STRONG_CHAIN,
        "AEGIS_KEY_ENCRYPTION_KEYS": STRONG_KEKS,
        "DATABASE_URL": "mysql://aegis:pw@db:3306/aegis_production",
        **env,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_checklist_variable_names_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = production(
        monkeypatch,
        CORS_ORIGINS='["https://aegis.yourdomain.com"]',
        SMTP_SERVER="smtp.example.org",
        EMAIL_FROM="aegis@example.org",
        OPENAI_API_KEY="sk-test",
    )
    assert settings.database_url.startswith("mysql://")
    assert settings.cors_origins == ["https://aegis.yourdomain.com"]
    assert (settings.smtp_server, settings.email_from) == ("smtp.example.org", "aegis@example.org")
    assert settings.openai_api_key == "sk-test"
    assert settings.check() is settings


def test_cors_origins_also_accept_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = production(monkeypatch, CORS_ORIGINS="https://a.example, https://b.example")
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("SECRET_KEY", "", "SECRET_KEY is not set"),
        ("SECRET_KEY", "short", "SECRET_KEY is shorter than 32"),
        (
            "JWT_SECRET_KEY",
            "<strong-jwt-secret-placeholder-value-here>",
            "JWT_SECRET_KEY looks like",
        ),
        ("JWT_SECRET_KEY", STRONG, "JWT_SECRET_KEY must differ"),
        ("AUDIT_CHAIN_KEY", "", "AUDIT_CHAIN_KEY is not set"),
        ("AUDIT_CHAIN_KEY", "short", "AUDIT_CHAIN_KEY is shorter than 32"),
        ("AUDIT_CHAIN_KEY", STRONG_JWT, "AUDIT_CHAIN_KEY must differ"),
        ("DATABASE_URL", "sqlite:///var/aegis.db", "DATABASE_URL points to SQLite"),
        ("CORS_ORIGINS", '["*"]', "CORS_ORIGINS must list origins"),
    ],
)
def test_production_refuses_unsafe_settings_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, reason: str
) -> None:
    settings = production(monkeypatch, **{variable: value})
    with pytest.raises(ConfigurationError, match=reason):
        settings.check()


def test_sqlite_in_production_only_when_explicitly_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = production(
        monkeypatch, DATABASE_URL="sqlite:///var/a.db", AEGIS_ALLOW_SQLITE_IN_PRODUCTION="true"
    )
    assert settings.check() is settings


def test_development_gets_working_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AEGIS_ENV", "SECRET_KEY", "JWT_SECRET_KEY", "AUDIT_CHAIN_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.env == "development"
    assert settings.database_url == "sqlite:///var/aegis.db"
    assert settings.secret_key and settings.jwt_secret_key != settings.secret_key
    assert settings.audit_chain_key not in ("", settings.secret_key, settings.jwt_secret_key)


def test_app_refuses_to_start_with_unsafe_production_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aegis.main import create_app

    settings = production(monkeypatch, SECRET_KEY="")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(settings)


@pytest.mark.parametrize(
    "value",
    [
        "aegis.example.org",
        "ftp://aegis.example.org",
        "https://aegis.example.org/app",
        "https://user:pw@aegis.example.org",
        "https://aegis.example.org?x=1",
    ],
)
def test_the_public_url_must_be_an_http_origin(value: str) -> None:
    with pytest.raises(ValidationError, match="public_url"):
        Settings(public_url=value)
    assert (
        Settings(public_url="https://aegis.example.org/").public_url == "https://aegis.example.org"
    )
