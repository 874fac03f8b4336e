"""Queries of the auth domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aegis.core.authz import Assignment, Role
from aegis.models import AuthSession, RefreshToken, RoleAssignment, Unit, User


def user_by_email(session: Session, email: str) -> User | None:
    """Find a user by e-mail address, ignoring case."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def open_session_by_key(
    session: Session, key_hash: str, kind: str
) -> tuple[AuthSession, User] | None:
    """The unrevoked session of this kind with this key digest, with its user if active."""
    row = session.execute(
        select(AuthSession, User)
        .join(User, AuthSession.user_id == User.id)
        .where(
            AuthSession.key_hash == key_hash,
            AuthSession.kind == kind,
            AuthSession.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


def active_sessions_of(
    session: Session, user_id: int, *, used_since: datetime, now: datetime
) -> list[AuthSession]:
    """A user's sessions neither revoked, idle since before `used_since`, nor past their end."""
    return list(
        session.scalars(
            select(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
                AuthSession.last_used_at > used_since,
            )
            .order_by(AuthSession.last_used_at.desc(), AuthSession.id.desc())
        )
    )


def touch_session(session: Session, session_id: int, now: datetime) -> None:
    """Record that a session was just used (unless a later use was already recorded)."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.last_used_at < now)
        .values(last_used_at=now)
    )


def assignments_of(session: Session, user_id: int) -> list[Assignment]:
    """Return a user's role assignments."""
    rows = session.execute(
        select(RoleAssignment.role, RoleAssignment.unit_id, RoleAssignment.include_children).where(
            RoleAssignment.user_id == user_id
        )
    )
    return [Assignment(Role(role), unit_id, children) for role, unit_id, children in rows]


def unit_parents(session: Session) -> dict[int, int | None]:
    """Return the whole unit tree as {unit_id: parent_id}."""
    return {uid: parent for uid, parent in session.execute(select(Unit.id, Unit.parent_id))}


def refresh_token_by_hash(session: Session, token_hash: str) -> RefreshToken | None:
    """Find a refresh token by its digest."""
    return session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))


def revoke_sessions_of(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every open login session of a user; return how many were open."""
    result = session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
