"""Queries of the auth domain."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aegis.core.authz import Assignment, Role
from aegis.core.db import utcnow
from aegis.models import AuthSession, RefreshToken, RoleAssignment, Unit, User


def user_by_email(session: Session, email: str) -> User | None:
    """Find a user by e-mail address, ignoring case."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def active_user_for_session(session: Session, user_id: int, session_id: int) -> User | None:
    """Return the user if active and the login session is neither revoked nor expired."""
    return session.scalar(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            User.id == user_id,
            User.is_active.is_(True),
            AuthSession.id == session_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow(),
        )
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


def revoke_sessions_of(session: Session, user_id: int) -> None:
    """Revoke every open login session of a user."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
