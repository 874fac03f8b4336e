"""Sign-in, refresh-token rotation with reuse detection, logout, and principal resolution."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from aegis.core.authz import Principal, resolve_principal
from aegis.core.db import utcnow
from aegis.core.errors import AuthenticationFailed, TokenReuseDetected
from aegis.core.security import (
    create_access_token,
    decode_access_token,
    new_refresh_token,
    token_digest,
    verify_password,
)
from aegis.domains.auth import repository as repo
from aegis.domains.auth.schemas import TokenPair, TokenPolicy
from aegis.models import AuthSession, RefreshToken, User

INVALID_CREDENTIALS = "Invalid e-mail or password"


def _issue(session: Session, auth_session: AuthSession, policy: TokenPolicy) -> TokenPair:
    refresh = new_refresh_token()
    session.add(RefreshToken(session_id=auth_session.id, token_hash=token_digest(refresh)))
    access, expires_in = create_access_token(
        user_id=auth_session.user_id,
        session_id=auth_session.id,
        secret=policy.jwt_secret,
        lifetime=policy.access_lifetime,
    )
    session.flush()
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=expires_in)


def authenticate(session: Session, email: str, password: str) -> User:
    """Return the active user with these credentials or raise AuthenticationFailed."""
    user = repo.user_by_email(session, email)
    valid = verify_password(password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        raise AuthenticationFailed(INVALID_CREDENTIALS)
    return user


def login(*, session: Session, email: str, password: str, policy: TokenPolicy) -> TokenPair:
    """Check credentials and open a login session."""
    user = authenticate(session, email, password)
    user.last_login_at = utcnow()
    auth_session = AuthSession(user_id=user.id, expires_at=utcnow() + policy.refresh_lifetime)
    session.add(auth_session)
    session.flush()
    return _issue(session, auth_session, policy)


def refresh(*, session: Session, refresh_token: str, policy: TokenPolicy) -> TokenPair:
    """Exchange a refresh token for new tokens; a reused token revokes its whole session."""
    stored = repo.refresh_token_by_hash(session, token_digest(refresh_token))
    if stored is None:
        raise AuthenticationFailed("Invalid refresh token")
    auth_session = session.get(AuthSession, stored.session_id)
    if auth_session is None or auth_session.revoked_at is not None:
        raise AuthenticationFailed("Session has been revoked")
    if stored.used_at is not None:
        auth_session.revoked_at = utcnow()
        raise TokenReuseDetected("Refresh token was already used; the session is revoked")
    user = session.get(User, auth_session.user_id)
    if user is None or not user.is_active or auth_session.expires_at <= utcnow():
        raise AuthenticationFailed("Session has expired")
    stored.used_at = utcnow()
    return _issue(session, auth_session, policy)


def logout(*, session: Session, principal: Principal, refresh_token: str | None = None) -> None:
    """Revoke the caller's login session (and the one a given refresh token belongs to)."""
    ids = {principal.session_id} if principal.session_id else set()
    if refresh_token:
        stored = repo.refresh_token_by_hash(session, token_digest(refresh_token))
        if stored is not None:
            owner = session.get(AuthSession, stored.session_id)
            if owner is not None and owner.user_id == principal.user_id:
                ids.add(owner.id)
    for session_id in ids:
        auth_session = session.get(AuthSession, session_id)
        if auth_session is not None and auth_session.revoked_at is None:
            auth_session.revoked_at = utcnow()
    session.flush()


def principal_for_token(*, session: Session, token: str, jwt_secret: str) -> Principal:
    """Turn a valid access token of an active user and open session into a principal."""
    claims = decode_access_token(token, secret=jwt_secret)
    user = repo.active_user_for_session(session, claims.user_id, claims.session_id)
    if user is None:
        raise AuthenticationFailed("Session is no longer valid")
    return principal_for_user(session=session, user=user, session_id=claims.session_id)


def principal_for_user(*, session: Session, user: User, session_id: int | None = None) -> Principal:
    """Build the principal of a user from their role assignments and the unit tree."""
    return resolve_principal(
        user_id=user.id,
        email=user.email,
        assignments=repo.assignments_of(session, user.id),
        parents=repo.unit_parents(session),
        session_id=session_id,
    )


def revoke_all_sessions(*, session: Session, user_id: int) -> None:
    """Revoke every login session of a user at once."""
    repo.revoke_sessions_of(session, user_id)


def open_session(*, session: Session, email: str, password: str, lifetime: timedelta) -> int:
    """Check credentials and open a browser login session; return its id."""
    user = authenticate(session, email, password)
    user.last_login_at = utcnow()
    auth_session = AuthSession(user_id=user.id, expires_at=utcnow() + lifetime)
    session.add(auth_session)
    session.flush()
    return auth_session.id


def principal_for_session(*, session: Session, user_id: int, session_id: int) -> Principal:
    """The principal of an open login session of an active user."""
    user = repo.active_user_for_session(session, user_id, session_id)
    if user is None:
        raise AuthenticationFailed("Session is no longer valid")
    return principal_for_user(session=session, user=user, session_id=session_id)


def close_session(*, session: Session, user_id: int, session_id: int) -> None:
    """Revoke one login session of a user."""
    auth_session = session.get(AuthSession, session_id)
    if auth_session is not None and auth_session.user_id == user_id:
        auth_session.revoked_at = auth_session.revoked_at or utcnow()
        session.flush()


def session_user_id(*, session: Session, session_id: int) -> int | None:
    """The user a login session belongs to."""
    auth_session = session.get(AuthSession, session_id)
    return auth_session.user_id if auth_session else None
