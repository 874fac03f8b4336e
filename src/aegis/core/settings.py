"""Application settings read from the environment and an optional `.env` file."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from limits import parse
from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from aegis.core.encryption import GENERATED_KEY_ID, parse_keyring
from aegis.core.instance_secrets import InstanceSecretError, instance_secret
from aegis.core.redaction import shown
from aegis.core.scanning import parse_address

PLACEHOLDER_MARKERS = ("change", "changeme", "placeholder", "secret", "example", "<", "xxx")
MIN_SECRET_LENGTH = 32
ORIGIN = re.compile(
    r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?"
)


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class ConfigurationError(RuntimeError):
    """Raised when the settings cannot be used in the chosen environment."""


class Settings(BaseSettings):
    """Every setting of Aegis; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    env: Literal["development", "test", "production"] = Field(
        "development", validation_alias=_env("AEGIS_ENV")
    )
    host: str = Field("127.0.0.1", validation_alias=_env("AEGIS_HOST"))
    port: int = Field(8000, ge=1, le=65535, validation_alias=_env("AEGIS_PORT"))
    server_workers: int = Field(
        default_factory=lambda: min(2 * (os.cpu_count() or 1), 8),
        ge=1,
        le=64,
        validation_alias=_env("AEGIS_SERVER_WORKERS"),
    )
    server_timeout_seconds: int = Field(
        60, ge=5, le=3600, validation_alias=_env("AEGIS_SERVER_TIMEOUT_SECONDS")
    )
    server_graceful_timeout_seconds: int = Field(
        30, ge=1, le=3600, validation_alias=_env("AEGIS_SERVER_GRACEFUL_TIMEOUT_SECONDS")
    )
    server_keepalive_seconds: int = Field(
        5, ge=1, le=300, validation_alias=_env("AEGIS_SERVER_KEEPALIVE_SECONDS")
    )
    server_max_requests: int = Field(
        10_000, ge=0, le=10_000_000, validation_alias=_env("AEGIS_SERVER_MAX_REQUESTS")
    )
    data_dir: Path = Field(Path("var"), validation_alias=_env("AEGIS_DATA_DIR"))
    database_url: str = Field("", validation_alias=_env("DATABASE_URL", "AEGIS_DATABASE_URL"))
    allow_sqlite_in_production: bool = Field(
        False, validation_alias=_env("AEGIS_ALLOW_SQLITE_IN_PRODUCTION")
    )
    db_pool_size: int = Field(10, ge=1, validation_alias=_env("AEGIS_DB_POOL_SIZE"))
    db_max_overflow: int = Field(20, ge=0, validation_alias=_env("AEGIS_DB_MAX_OVERFLOW"))
    db_pool_recycle_seconds: int = Field(
        1800, ge=1, validation_alias=_env("AEGIS_DB_POOL_RECYCLE_SECONDS")
    )

    secret_key: str = Field("", validation_alias=_env("SECRET_KEY", "AEGIS_SECRET_KEY"))
    jwt_secret_key: str = Field("", validation_alias=_env("JWT_SECRET_KEY", "AEGIS_JWT_SECRET_KEY"))
    audit_chain_key: str = Field(
        "", validation_alias=_env("AUDIT_CHAIN_KEY", "AEGIS_AUDIT_CHAIN_KEY")
    )
    key_encryption_keys: str = Field(
        "", validation_alias=_env("AEGIS_KEY_ENCRYPTION_KEYS", "KEY_ENCRYPTION_KEYS"), repr=False
    )
    access_token_minutes: int = Field(
        15, ge=1, le=1440, validation_alias=_env("AEGIS_ACCESS_TOKEN_MINUTES")
    )
    session_idle_minutes: int = Field(
        30, ge=1, le=24 * 60, validation_alias=_env("AEGIS_SESSION_IDLE_MINUTES")
    )
    # how long after typing the password a session may do sensitive actions
    password_confirmation_minutes: int = Field(
        15, ge=1, le=24 * 60, validation_alias=_env("AEGIS_PASSWORD_CONFIRMATION_MINUTES")
    )
    session_absolute_hours: int = Field(
        12,
        ge=1,
        le=24 * 30,
        validation_alias=_env("AEGIS_SESSION_ABSOLUTE_HOURS", "AEGIS_WEB_SESSION_HOURS"),
    )
    api_token_max_days: int = Field(
        365, ge=1, le=3650, validation_alias=_env("AEGIS_API_TOKEN_MAX_DAYS")
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("CORS_ORIGINS", "AEGIS_CORS_ORIGINS")
    )

    static_url: str = Field("/static", validation_alias=_env("AEGIS_STATIC_URL"))

    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("AEGIS_TRUSTED_PROXIES", "TRUSTED_PROXIES")
    )
    hsts_max_age_seconds: int = Field(
        365 * 24 * 3600, ge=0, le=2 * 365 * 24 * 3600, validation_alias=_env("AEGIS_HSTS_MAX_AGE")
    )
    max_request_bytes: int = Field(
        1024 * 1024, ge=1024, validation_alias=_env("AEGIS_MAX_REQUEST_BYTES")
    )

    max_upload_bytes: int = Field(
        25 * 1024 * 1024, ge=1, validation_alias=_env("AEGIS_MAX_UPLOAD_BYTES")
    )
    import_max_rows: int = Field(10_000, ge=1, validation_alias=_env("AEGIS_IMPORT_MAX_ROWS"))
    # per user, over the evidence files and risk attachments they uploaded; 0: no quota
    upload_quota_mb: int = Field(
        10_240, ge=0, le=100_000_000, validation_alias=_env("AEGIS_UPLOAD_QUOTA_MB")
    )
    upload_quota_files: int = Field(
        10_000, ge=0, le=100_000_000, validation_alias=_env("AEGIS_UPLOAD_QUOTA_FILES")
    )
    # days kept before `aegis maintenance purge` removes them
    retention_sessions_days: int = Field(
        90, ge=1, le=36_500, validation_alias=_env("AEGIS_RETENTION_SESSIONS_DAYS")
    )
    retention_sign_in_throttle_days: int = Field(
        30, ge=1, le=36_500, validation_alias=_env("AEGIS_RETENTION_SIGN_IN_THROTTLE_DAYS")
    )
    retention_quarantine_days: int = Field(
        90, ge=1, le=36_500, validation_alias=_env("AEGIS_RETENTION_QUARANTINE_DAYS")
    )
    clamav_url: str = Field("", validation_alias=_env("CLAMAV_URL", "AEGIS_CLAMAV_URL"))
    clamd_socket: str = Field("", validation_alias=_env("CLAMD_SOCKET", "AEGIS_CLAMD_SOCKET"))
    clamav_timeout_seconds: float = Field(
        60.0, gt=0, le=600, validation_alias=_env("AEGIS_CLAMAV_TIMEOUT_SECONDS")
    )

    smtp_server: str = Field("", validation_alias=_env("SMTP_SERVER", "AEGIS_SMTP_SERVER"))
    smtp_port: int = Field(587, ge=1, le=65535, validation_alias=_env("SMTP_PORT"))
    smtp_username: str = Field("", validation_alias=_env("SMTP_USERNAME"))
    smtp_password: str = Field("", validation_alias=_env("SMTP_PASSWORD"))
    email_from: str = Field("", validation_alias=_env("EMAIL_FROM", "AEGIS_EMAIL_FROM"))
    smtp_starttls: bool = Field(False, validation_alias=_env("SMTP_STARTTLS"))
    smtp_timeout_seconds: float = Field(
        10.0, gt=0, le=300, validation_alias=_env("SMTP_TIMEOUT_SECONDS")
    )
    notify_new_device_sign_in: bool = Field(
        True, validation_alias=_env("AEGIS_NOTIFY_NEW_DEVICE_SIGN_IN")
    )

    redis_url: str = Field("", validation_alias=_env("REDIS_URL", "AEGIS_REDIS_URL"))
    rate_limit_prefix: str = Field(
        "aegis", min_length=1, max_length=100, validation_alias=_env("AEGIS_RATE_LIMIT_PREFIX")
    )
    rate_limits_enabled: bool = Field(True, validation_alias=_env("AEGIS_RATE_LIMITS_ENABLED"))
    rate_limit_sign_in: str = Field("30/minute", validation_alias=_env("AEGIS_RATE_LIMIT_SIGN_IN"))
    rate_limit_write: str = Field("600/minute", validation_alias=_env("AEGIS_RATE_LIMIT_WRITE"))
    rate_limit_read: str = Field("1200/minute", validation_alias=_env("AEGIS_RATE_LIMIT_READ"))
    rate_limit_export: str = Field("60/minute", validation_alias=_env("AEGIS_RATE_LIMIT_EXPORT"))
    sign_in_account_failures: int = Field(
        5, ge=1, le=1000, validation_alias=_env("AEGIS_SIGN_IN_ACCOUNT_FAILURES")
    )
    sign_in_address_failures: int = Field(
        20, ge=1, le=100_000, validation_alias=_env("AEGIS_SIGN_IN_ADDRESS_FAILURES")
    )
    sign_in_failure_window_minutes: int = Field(
        15, ge=1, le=24 * 60, validation_alias=_env("AEGIS_SIGN_IN_FAILURE_WINDOW_MINUTES")
    )
    sign_in_lock_minutes: int = Field(
        15, ge=1, le=24 * 60, validation_alias=_env("AEGIS_SIGN_IN_LOCK_MINUTES")
    )
    sign_in_longest_lock_minutes: int = Field(
        24 * 60, ge=1, le=30 * 24 * 60, validation_alias=_env("AEGIS_SIGN_IN_LONGEST_LOCK_MINUTES")
    )
    openai_api_key: str = Field("", validation_alias=_env("OPENAI_API_KEY"))
    anthropic_api_key: str = Field("", validation_alias=_env("ANTHROPIC_API_KEY"))

    log_level: str = Field("INFO", validation_alias=_env("AEGIS_LOG_LEVEL"))
    # where users open Aegis, e.g. https://aegis.example.org; pins security keys to it
    public_url: str = Field("", validation_alias=_env("AEGIS_PUBLIC_URL"))

    risk_acceptance_max_days: int = Field(
        365, ge=1, le=3650, validation_alias=_env("AEGIS_RISK_ACCEPTANCE_MAX_DAYS")
    )
    risk_acceptance_approver_roles: Annotated[list[Literal["admin", "analyst"]], NoDecode] = (
        Field(["admin"], validation_alias=_env("AEGIS_RISK_ACCEPTANCE_APPROVER_ROLES"))
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: object) -> object:
        """Accept a JSON list (as in the checklist) or a comma-separated string."""
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return []
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        """An http(s) origin, without a path, query or credentials."""
        text = value.strip().rstrip("/")
        if not text:
            return ""
        parts = urlsplit(text)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username
        ):
            raise ValueError(
                f"must be the address users open, such as https://aegis.example.org, not {value!r}"
            )
        return text

    @field_validator("risk_acceptance_approver_roles", mode="before")
    @classmethod
    def _parse_roles(cls, value: object) -> object:
        """Comma-separated roles; administrators always approve, so they are always listed."""
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list) and "admin" not in value:
            value = ["admin", *value]
        return value

    @field_validator(
        "rate_limit_sign_in", "rate_limit_write", "rate_limit_read", "rate_limit_export"
    )
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        """A limit such as '600/minute' or '10 per second'."""
        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(
                f"must be a rate such as '600/minute' or '10/second', not {value!r}"
            ) from exc
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_proxies(cls, value: object) -> object:
        """Addresses or networks (CIDR), as a JSON list or comma-separated."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"must list IP addresses or networks such as 10.0.0.5 or 10.0.0.0/24, "
                    f"not {entry!r}"
                ) from None
        return value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"must list origins such as https://aegis.example.com (scheme, host and "
                    f"port only), not {origin!r}"
                )
        return value

    @model_validator(mode="after")
    def _fill_development_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'aegis.db'}"
        if self.env != "production":
            try:
                self.secret_key = self.secret_key or instance_secret(self.data_dir, "secret_key")
                self.jwt_secret_key = self.jwt_secret_key or instance_secret(
                    self.data_dir, "jwt_secret_key"
                )
                self.audit_chain_key = self.audit_chain_key or instance_secret(
                    self.data_dir, "audit_chain_key"
                )
                self.key_encryption_keys = self.key_encryption_keys or (
                    f"{GENERATED_KEY_ID}:{instance_secret(self.data_dir, 'key_encryption_key')}"
                )
            except InstanceSecretError as exc:
                raise ConfigurationError(str(exc)) from exc
        if self.key_encryption_keys.strip():
            try:
                parse_keyring(self.key_encryption_keys)
            except ValueError as exc:  # the message never repeats a key
                raise ConfigurationError(f"AEGIS_KEY_ENCRYPTION_KEYS {exc}") from None
        return self

    @field_validator("clamav_url", "clamd_socket")
    @classmethod
    def _check_scanner_address(cls, value: str) -> str:
        """Refuse an address clamd cannot be reached at, naming the accepted forms."""
        if value.strip():
            parse_address(value.strip())
        return value.strip()

    @property
    def scanner_url(self) -> str:
        """Where clamd listens (CLAMAV_URL, else CLAMD_SOCKET); empty: uploads are not scanned."""
        return self.clamav_url or self.clamd_socket

    @property
    def max_upload_request_bytes(self) -> int:
        """Largest request carrying a file: the file and the form around it."""
        return self.max_upload_bytes + self.max_request_bytes

    @property
    def is_production(self) -> bool:
        """Whether Aegis runs with production safeguards."""
        return self.env == "production"

    def production_problems(self) -> list[str]:
        """List every reason these settings are unsafe for production, naming the variable."""
        problems: list[str] = []
        for variable, value in (
            ("SECRET_KEY", self.secret_key),
            ("JWT_SECRET_KEY", self.jwt_secret_key),
            ("AUDIT_CHAIN_KEY", self.audit_chain_key),
        ):
            if not value:
                problems.append(f"{variable} is not set")
            elif len(value) < MIN_SECRET_LENGTH:
                problems.append(f"{variable} is shorter than {MIN_SECRET_LENGTH} characters")
            elif any(marker in value.lower() for marker in PLACEHOLDER_MARKERS):
                problems.append(f"{variable} looks like a placeholder")
        if self.secret_key and self.secret_key == self.jwt_secret_key:
            problems.append("JWT_SECRET_KEY must differ from SECRET_KEY")
        if self.audit_chain_key and self.audit_chain_key in (self.secret_key, self.jwt_secret_key):
            problems.append("AUDIT_CHAIN_KEY must differ from SECRET_KEY and JWT_SECRET_KEY")
        problems.extend(self._key_encryption_problems())
        if self.database_url.startswith("sqlite") and not self.allow_sqlite_in_production:
            problems.append(
                "DATABASE_URL points to SQLite; use MariaDB/MySQL or PostgreSQL "
                "(or set AEGIS_ALLOW_SQLITE_IN_PRODUCTION=true)"
            )
        if "*" in self.cors_origins:
            problems.append("CORS_ORIGINS must list origins explicitly, not '*'")
        return problems

    def _key_encryption_problems(self) -> list[str]:
        """Why the key-encryption keys are unsafe for production (never quoting a key)."""
        entries = [e.strip() for e in self.key_encryption_keys.split(",") if e.strip()]
        if not entries:
            return ["AEGIS_KEY_ENCRYPTION_KEYS is not set"]
        others = (self.secret_key, self.jwt_secret_key, self.audit_chain_key)
        problems = []
        for key_id, _, secret in (entry.partition(":") for entry in entries):
            if len(secret.strip()) < MIN_SECRET_LENGTH:
                problems.append(
                    f"AEGIS_KEY_ENCRYPTION_KEYS key {key_id.strip()!r} is shorter than "
                    f"{MIN_SECRET_LENGTH} characters"
                )
            elif any(marker in secret.lower() for marker in PLACEHOLDER_MARKERS):
                problems.append(
                    f"AEGIS_KEY_ENCRYPTION_KEYS key {key_id.strip()!r} looks like a placeholder"
                )
            elif secret.strip() in others:
                problems.append(
                    f"AEGIS_KEY_ENCRYPTION_KEYS key {key_id.strip()!r} must differ from "
                    "SECRET_KEY, JWT_SECRET_KEY and AUDIT_CHAIN_KEY"
                )
        return problems

    def check(self) -> Settings:
        """Raise ConfigurationError when production settings are unsafe."""
        if self.is_production:
            problems = self.production_problems()
            if problems:
                raise ConfigurationError("Refusing to start: " + "; ".join(problems))
        return self

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """What repr and str show: secret values hidden, URLs without their password."""
        for name, value in super().__repr_args__():
            yield name, shown(name, value) if name else value


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, checked for the environment."""
    return Settings().check()
