"""Recovery codes: ten one-time codes (124 bits each), shown once and stored as digests."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aegis.core.db import utcnow
from aegis.core.security import token_digest
from aegis.models import RecoveryCode

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read back
GROUPS, GROUP_LENGTH = 5, 5  # 25 of 31 symbols: 124 random bits, enough for a plain digest


def new_code() -> str:
    """A code such as 'k7dmx-2qa9f-weptr-4hn3c-a8sdq'."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


def normalise(code: str) -> str:
    """The code as typed, without spaces or hyphens and in lower case."""
    return "".join(ch for ch in code.lower() if ch not in " -\t")


def replace(session: Session, user_id: int) -> list[str]:
    """Forget a user's codes and store ten new ones; return them (the only time they show)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [new_code() for _ in range(COUNT)]
    now = utcnow()
    session.add_all(
        RecoveryCode(user_id=user_id, code_hash=token_digest(normalise(code)), created_at=now)
        for code in codes
    )
    session.flush()
    return codes


def consume(session: Session, user_id: int, code: str) -> bool:
    """Use one of the user's unused codes; False when it is not one (or was used)."""
    typed = normalise(code)
    if len(typed) != GROUPS * GROUP_LENGTH:
        return False
    row = session.scalar(
        select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == token_digest(typed),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    )
    if row is None:
        return False
    row.used_at = utcnow()
    session.flush()
    return True


def left(session: Session, user_id: int) -> int:
    """How many unused codes a user has."""
    stmt = select(func.count()).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
    )
    return int(session.scalar(stmt) or 0)


def forget(session: Session, user_id: int) -> None:
    """Delete every recovery code of a user."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
