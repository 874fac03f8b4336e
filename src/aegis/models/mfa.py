"""Multi-factor sign-in: authenticator apps, recovery codes, sign-in challenges, requirements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aegis.core.db import Base, UTCDateTime, utcnow
from aegis.core.encryption import sealed_column

TOTP_PURPOSE = "totp-secret"
WEBAUTHN_PURPOSE = "webauthn-public-key"


class TotpCredential(Base):
    """A user's authenticator app: its secret sealed at rest, confirmed once a code matched."""

    __tablename__ = "mfa_totp"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    secret_sealed: Mapped[str] = mapped_column(String(512), info=sealed_column(TOTP_PURPOSE))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_step: Mapped[int | None] = mapped_column(Integer)  # refuses a code used again


class RecoveryCode(Base):
    """A one-time recovery code, stored only as its SHA-256 digest."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MfaChallenge(Base):
    """The step between a correct password and a session: short-lived and usable once."""

    __tablename__ = "mfa_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "verify", "enrol" or "register"
    kind: Mapped[str] = mapped_column(String(16))  # "browser" or "api"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    webauthn_challenge: Mapped[str | None] = mapped_column(String(128))  # base64url, if asked


class SecurityKey(Base):
    """A WebAuthn security key (or passkey) of a user; its public key sealed at rest."""

    __tablename__ = "mfa_security_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    credential_id: Mapped[str] = mapped_column(Text)  # base64url, as browsers name it
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, to find it
    public_key_sealed: Mapped[str] = mapped_column(Text, info=sealed_column(WEBAUTHN_PURPOSE))
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MfaRequirement(Base):
    """Users holding `role` ("any" for every role) on a unit or below must use MFA."""

    __tablename__ = "mfa_requirements"
    __table_args__ = (UniqueConstraint("unit_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
