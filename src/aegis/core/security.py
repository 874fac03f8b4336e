"""Password hashing, access tokens, and opaque session keys and refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from aegis.core.db import utcnow
from aegis.core.errors import AuthenticationFailed

# Argon2id (RFC 9106) with a random 16-byte salt per hash; stored as a PHC string that carries
# the salt and these parameters, so a hash keeps verifying if they are raised later
ARGON2_MEMORY_KIB = 65536  # 64 MiB
ARGON2_PASSES = 3
ARGON2_LANES = 4
ARGON2_SALT_BYTES = 16
_password_hash = PasswordHash(
    (
        Argon2Hasher(
            time_cost=ARGON2_PASSES,
            memory_cost=ARGON2_MEMORY_KIB,
            parallelism=ARGON2_LANES,
            salt_len=ARGON2_SALT_BYTES,
        ),
    )
)
_DUMMY_HASH = _password_hash.hash("aegis-timing-equaliser")
JWT_ALGORITHM = "HS256"
JWT_AUDIENCE = "aegis-api"


def hash_password(password: str) -> str:
    """Hash a password, whole (never cut short), with Argon2id and a new random salt."""
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; spends the same time when the user does not exist."""
    if password_hash is None:
        _password_hash.verify(password, _DUMMY_HASH)
        return False
    return _password_hash.verify(password, password_hash)


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says."""

    user_id: int
    session_key: str
    expires_at: datetime


def create_access_token(
    *, user_id: int, session_key: str, secret: str, lifetime: timedelta
) -> tuple[str, int]:
    """Sign a short-lived access token; return it with its lifetime in seconds."""
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "sid": session_key,
        "aud": JWT_AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM), int(lifetime.total_seconds())


def decode_access_token(token: str, *, secret: str) -> AccessClaims:
    """Verify an access token's signature, audience and expiry."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            audience=JWT_AUDIENCE,
            options={"require": ["sub", "sid", "exp"]},
        )
        return AccessClaims(
            user_id=int(claims["sub"]),
            session_key=_session_key(claims["sid"]),
            expires_at=datetime.fromtimestamp(claims["exp"]).astimezone(),
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise AuthenticationFailed("Invalid or expired access token") from exc


def access_token_subject(token: str, *, secret: str) -> int | None:
    """The user an access token was signed for, even expired; None when it is not one of ours.

    Only for naming the account in the log line of a refused token: never to let anyone in.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            audience=JWT_AUDIENCE,
            options={"require": ["sub"], "verify_exp": False},
        )
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None


def _session_key(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("the session claim is not a session key")
    return value


def new_refresh_token() -> str:
    """Return a new opaque refresh token."""
    return secrets.token_urlsafe(32)


def new_session_key() -> str:
    """Return the random key (256 bits) that names a login session to its holder."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest under which a refresh token or session key is stored."""
    return hashlib.sha256(token.encode()).hexdigest()
