"""Sign-in challenges: the signed, short-lived, single-use step between password and session.

The token a client holds is signed (HS256, its own audience, so it is never an access
token) and names a random key stored only as its digest; the row says whether the
challenge was used and until when it is valid.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.db import utcnow
from aegis.core.security import JWT_ALGORITHM, token_digest
from aegis.domains.auth.errors import MfaChallengeInvalid
from aegis.models import MfaChallenge

Purpose = Literal["verify", "enrol"]
AUDIENCE = "aegis-mfa-challenge"
LIFETIMES: dict[str, timedelta] = {
    "verify": timedelta(minutes=5),
    "enrol": timedelta(minutes=15),
}
INVALID = "This sign-in step has expired or was already used: sign in again with your password"


@dataclass(frozen=True)
class IssuedChallenge:
    """A new challenge: the token to send back and how many seconds it stays valid."""

    token: str
    expires_in: int
    purpose: Purpose


def issue(
    session: Session, *, user_id: int, purpose: Purpose, kind: str, secret: str
) -> IssuedChallenge:
    """Store a new challenge for a user who gave the right password; return its token."""
    now, lifetime, key = utcnow(), LIFETIMES[purpose], secrets.token_urlsafe(32)
    session.add(
        MfaChallenge(
            user_id=user_id,
            key_hash=token_digest(key),
            purpose=purpose,
            kind=kind,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    claims = {
        "sub": str(user_id),
        "cid": key,
        "pur": purpose,
        "aud": AUDIENCE,
        "exp": now + lifetime,
    }
    token = jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)
    return IssuedChallenge(token, int(lifetime.total_seconds()), purpose)


def _key(token: str, secret: str, purpose: Purpose) -> tuple[int, str]:
    """The user id and key a validly signed, unexpired token of this purpose names."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["sub", "cid", "pur", "exp"]},
        )
        user_id, key = int(claims["sub"]), claims["cid"]
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise MfaChallengeInvalid(INVALID) from exc
    if claims["pur"] != purpose or not isinstance(key, str):
        raise MfaChallengeInvalid(INVALID)
    return user_id, key


def find(
    session: Session, token: str, *, purpose: Purpose, kind: str, secret: str, lock: bool = False
) -> MfaChallenge:
    """The open challenge a token names, else MfaChallengeInvalid (nothing said about why)."""
    user_id, key = _key(token, secret, purpose)
    stmt = select(MfaChallenge).where(MfaChallenge.key_hash == token_digest(key))
    challenge = session.scalar(stmt.with_for_update() if lock else stmt)
    if (
        challenge is None
        or challenge.user_id != user_id
        or challenge.purpose != purpose
        or challenge.kind != kind
        or challenge.used_at is not None
        or challenge.expires_at <= utcnow()
    ):
        raise MfaChallengeInvalid(INVALID)
    return challenge


def use(session: Session, challenge: MfaChallenge) -> None:
    """Mark a challenge used: it opens one session, never a second."""
    challenge.used_at = utcnow()
    session.flush()


def forget_expired(session: Session, user_id: int) -> None:
    """Drop a user's challenges that can no longer be used (keeps the table small)."""
    cutoff = utcnow() - timedelta(days=1)
    for row in session.scalars(
        select(MfaChallenge).where(
            MfaChallenge.user_id == user_id, MfaChallenge.expires_at < cutoff
        )
    ):
        session.delete(row)
