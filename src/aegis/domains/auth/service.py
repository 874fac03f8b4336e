"""Sign-in, login sessions with idle and absolute limits, refresh rotation, sign-out."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from aegis.core.authz import Principal, resolve_principal
from aegis.core.confirmation import require_password_confirmation
from aegis.core.context import note_account
from aegis.core.db import utcnow
from aegis.core.errors import AuthenticationFailed, NotFound, TokenReuseDetected
from aegis.core.security import (
    access_token_subject,
    create_access_token,
    decode_access_token,
    new_refresh_token,
    new_session_key,
    token_digest,
    verify_password,
)
from aegis.domains.auth import lockout, mfa_step, password_change
from aegis.domains.auth import repository as repo
from aegis.domains.auth.devices import device_label
from aegis.domains.auth.errors import SessionExpired
from aegis.domains.auth.mfa_schemas import MfaChallengeRead
from aegis.domains.auth.schemas import (
    ClientInfo,
    OpenedSession,
    SessionCheck,
    SessionKind,
    SessionPolicy,
    SessionRead,
    TokenPair,
    TokenPolicy,
)
from aegis.domains.common.security_events import (
    home_unit,
    log_refused_credential,
    record_security_event,
)
from aegis.models import AuthSession, RefreshToken, User

INVALID_CREDENTIALS = "Invalid e-mail or password"
SESSION_ENDED = "Your session has ended; sign in again"
TOUCH_INTERVAL = timedelta(minutes=1)
SIGNED_IN_WITH = {"browser": "web browser", "api": "API"}


def duration_text(span: timedelta) -> str:
    """A duration in words: '30 minutes', '12 hours'."""
    minutes = int(span.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{minutes // 60} hour{'s' if minutes != 60 else ''}"


def _check_expiry(auth_session: AuthSession, policy: SessionPolicy, now: datetime) -> None:
    """Raise SessionExpired when the session is past its absolute end or idle too long."""
    if auth_session.expires_at <= now:
        span = duration_text(auth_session.expires_at - auth_session.created_at)
        raise SessionExpired(f"Your session reached its limit of {span}; sign in again")
    if auth_session.last_used_at + policy.idle <= now:
        raise SessionExpired(
            f"Your session ended after {duration_text(policy.idle)} without activity; sign in again"
        )


def _refused(user: User | None, credential: str, reason: str) -> None:
    """Log a refused token or session with the account it names, if any (never the token)."""
    log_refused_credential(
        credential, reason, user_id=user.id if user else None, email=user.email if user else None
    )


def _refused_if_expired(
    auth_session: AuthSession, policy: SessionPolicy, now: datetime, user: User | None, kind: str
) -> None:
    """Check the session's limits; a session past them is logged as refused with its account."""
    try:
        _check_expiry(auth_session, policy, now)
    except SessionExpired:
        _refused(user, kind, "session expired")
        raise


def _clip(value: str | None, length: int) -> str | None:
    return value[:length] if value else None


def _open(
    session: Session, user: User, kind: SessionKind, policy: SessionPolicy, client: ClientInfo
) -> tuple[AuthSession, str]:
    """Open a login session for a signed-in user; return it with its key."""
    lockout.clear_account(session, user.email)
    now = utcnow()
    key = new_session_key()
    user.last_login_at = now
    auth_session = AuthSession(
        user_id=user.id,
        key_hash=token_digest(key),
        kind=kind,
        created_at=now,
        last_used_at=now,
        expires_at=now + policy.absolute,
        user_agent=_clip(client.user_agent, 255),
        client_address=_clip(client.address, 64),
        password_confirmed_at=now,  # every sign-in starts with the password
    )
    session.add(auth_session)
    session.flush()
    record_security_event(
        session,
        "sign_in",
        entity_type="user",
        entity_id=user.id,
        unit_id=home_unit(session, user.id),
        actor_id=user.id,
        actor_email=user.email,
        details={"email": user.email, "signed_in_with": SIGNED_IN_WITH[kind]},
        level="info",
    )
    return auth_session, key


def _issue(session: Session, auth_session: AuthSession, key: str, policy: TokenPolicy) -> TokenPair:
    """A new token pair; the refresh token carries the session key, stored only as digests."""
    now = utcnow()
    refresh = f"{key}.{new_refresh_token()}"
    session.add(
        RefreshToken(session_id=auth_session.id, token_hash=token_digest(refresh), created_at=now)
    )
    access, expires_in = create_access_token(
        user_id=auth_session.user_id,
        session_key=key,
        secret=policy.jwt_secret,
        lifetime=min(policy.access_lifetime, auth_session.expires_at - now),
    )
    session.flush()
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=expires_in)


def authenticate(session: Session, email: str, password: str) -> User:
    """Return the active user with these credentials or raise AuthenticationFailed.

    Failures are counted per account and client address; while either is locked the
    attempt is refused (SignInLocked) before the password is hashed. They are forgotten
    once a session opens (after the second factor, for a user who has one).
    """
    email = email.strip().lower()
    user = repo.user_by_email(session, email)
    lockout.refuse_if_locked(session, email, user)
    valid = verify_password(password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        reason = "unknown account" if user is None else "wrong password"
        lockout.count_failure(session, email, user, reason if not valid else "account disabled")
        raise lockout.SignInFailed(INVALID_CREDENTIALS)
    password_change.require_if_common(session, user, password)
    return user


def login(
    *,
    session: Session,
    email: str,
    password: str,
    policy: TokenPolicy,
    client: ClientInfo | None = None,
) -> TokenPair | MfaChallengeRead:
    """Check credentials and open an API login session, or answer the MFA challenge first."""
    user = authenticate(session, email, password)
    challenge = mfa_step.second_step(session, user, "api", policy.jwt_secret)
    if challenge is not None:
        return challenge
    return finish_api_sign_in(session=session, user=user, policy=policy, client=client)


def finish_api_sign_in(
    *, session: Session, user: User, policy: TokenPolicy, client: ClientInfo | None = None
) -> TokenPair:
    """Open an API login session for a user who passed every factor; issue its tokens."""
    auth_session, key = _open(session, user, "api", policy.sessions, client or ClientInfo())
    return _issue(session, auth_session, key, policy)


def refresh(*, session: Session, refresh_token: str, policy: TokenPolicy) -> TokenPair:
    """Exchange a refresh token for new tokens; a reused token revokes its whole session."""
    stored = repo.refresh_token_by_hash(session, token_digest(refresh_token))
    auth_session = session.get(AuthSession, stored.session_id) if stored else None
    key = refresh_token.partition(".")[0]
    if stored is None or auth_session is None or auth_session.key_hash != token_digest(key):
        log_refused_credential("refresh_token", "unknown token")
        raise AuthenticationFailed("Invalid refresh token")
    user = session.get(User, auth_session.user_id)
    if auth_session.revoked_at is not None:
        _refused(user, "refresh_token", "session ended")
        raise AuthenticationFailed(SESSION_ENDED)
    now = utcnow()
    if stored.used_at is not None:
        auth_session.revoked_at = now
        _refused(user, "refresh_token", "used twice: the session is revoked")
        raise TokenReuseDetected("Refresh token was already used; the session is revoked")
    if user is None or not user.is_active:
        _refused(user, "refresh_token", "account disabled")
        raise AuthenticationFailed(SESSION_ENDED)
    _refused_if_expired(auth_session, policy.sessions, now, user, "refresh_token")
    note_account(user.id, user.email)
    stored.used_at = now
    auth_session.last_used_at = now
    return _issue(session, auth_session, key, policy)


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
        close_session(session=session, user_id=principal.user_id, session_id=session_id)


def _check_session(
    session: Session, key: str, kind: SessionKind, policy: SessionPolicy
) -> SessionCheck:
    """The principal of the open, unexpired session of this kind named by `key`."""
    found = repo.open_session_by_key(session, token_digest(key), kind)
    if found is None:
        raise AuthenticationFailed(SESSION_ENDED)
    auth_session, user = found
    now = utcnow()
    _refused_if_expired(auth_session, policy, now, user, f"{kind}_session")
    note_account(user.id, user.email)
    principal = principal_for_user(session=session, user=user, session_id=auth_session.id)
    confirmed = auth_session.password_confirmed_at
    if confirmed is not None and now - confirmed < policy.confirmation:
        principal = replace(principal, password_confirmed=True)
    interval = min(TOUCH_INTERVAL, policy.idle / 10)
    return SessionCheck(principal, needs_touch=now - auth_session.last_used_at >= interval)


def principal_for_token(
    *, session: Session, token: str, jwt_secret: str, policy: SessionPolicy
) -> SessionCheck:
    """Check an access token and its API session; the principal of an active user."""
    try:
        claims = decode_access_token(token, secret=jwt_secret)
    except AuthenticationFailed:
        subject = access_token_subject(token, secret=jwt_secret)
        named = session.get(User, subject) if subject is not None else None
        _refused(named, "access_token", "expired" if named else "invalid token")
        raise
    try:
        check = _check_session(session, claims.session_key, "api", policy)
    except SessionExpired:
        raise  # logged with its account
    except AuthenticationFailed:
        _refused(session.get(User, claims.user_id), "access_token", "session ended")
        raise
    if check.principal.user_id != claims.user_id:
        raise AuthenticationFailed(SESSION_ENDED)
    return check


def principal_for_user(*, session: Session, user: User, session_id: int | None = None) -> Principal:
    """Build the principal of a user from their role assignments and the unit tree."""
    principal = resolve_principal(
        user_id=user.id,
        email=user.email,
        assignments=repo.assignments_of(session, user.id),
        parents=repo.unit_parents(session),
        session_id=session_id,
    )
    return replace(principal, password_change_reason=user.password_change_reason)


def require_password_change(*, session: Session, user: User, principal: Principal | None) -> None:
    """An administrator (`principal`, None at the console) set the user's password: the user
    must choose a new one at their next sign-in. Recorded in the audit trail."""
    password_change.require(session, user, password_change.SET_BY_ADMIN, principal)


def password_change_done(*, session: Session, user: User) -> None:
    """The user chose their own new password: a change asked of them is done (recorded)."""
    password_change.done(session, user)


def refuse_until_password_changed(*, session: Session, principal: Principal) -> None:
    """Raise PasswordChangeRequired while the caller must choose a new password first."""
    password_change.refuse_until_changed(principal.password_change_reason)


def password_change_explanation(*, session: Session, principal: Principal) -> str | None:
    """Why the caller must choose a new password before anything else (None: they need not)."""
    return password_change.explanation(principal.password_change_reason)


def revoke_all_sessions(*, session: Session, user_id: int) -> int:
    """Revoke every login session of a user at once; return how many were open."""
    return repo.revoke_sessions_of(session, user_id, utcnow())


def open_session(
    *,
    session: Session,
    email: str,
    password: str,
    policy: SessionPolicy,
    challenge_secret: str,
    client: ClientInfo | None = None,
) -> OpenedSession | MfaChallengeRead:
    """Check credentials and open a browser login session, or answer the MFA challenge first."""
    user = authenticate(session, email, password)
    challenge = mfa_step.second_step(session, user, "browser", challenge_secret)
    if challenge is not None:
        return challenge
    return finish_browser_sign_in(session=session, user=user, policy=policy, client=client)


def finish_browser_sign_in(
    *, session: Session, user: User, policy: SessionPolicy, client: ClientInfo | None = None
) -> OpenedSession:
    """Open a browser login session for a user who passed every factor; return its key."""
    _auth_session, key = _open(session, user, "browser", policy, client or ClientInfo())
    return OpenedSession(key=key, user_id=user.id, lifetime=policy.absolute)


def principal_for_session(*, session: Session, key: str, policy: SessionPolicy) -> SessionCheck:
    """The principal of the open, unexpired browser session named by `key`."""
    try:
        return _check_session(session, key, "browser", policy)
    except SessionExpired:
        raise  # logged with its account
    except AuthenticationFailed:
        log_refused_credential("browser_session", "unknown or ended session")
        raise


def touch_session(*, session: Session, session_id: int) -> None:
    """Record that a session is in use now, which postpones its idle timeout."""
    repo.touch_session(session, session_id, utcnow())
    session.flush()


def close_session(*, session: Session, user_id: int, session_id: int) -> None:
    """Revoke one login session of a user."""
    auth_session = session.get(AuthSession, session_id)
    if auth_session is not None and auth_session.user_id == user_id:
        auth_session.revoked_at = auth_session.revoked_at or utcnow()
        session.flush()


def list_sessions(
    *, session: Session, principal: Principal, policy: SessionPolicy
) -> list[SessionRead]:
    """The caller's active login sessions, most recently used first."""
    now = utcnow()
    rows = repo.active_sessions_of(
        session, principal.user_id, used_since=now - policy.idle, now=now
    )
    return [_read(row, principal) for row in rows]


def _read(row: AuthSession, principal: Principal) -> SessionRead:
    return SessionRead(
        id=row.id,
        kind="browser" if row.kind == "browser" else "api",
        device=device_label(row.user_agent),
        user_agent=row.user_agent,
        client_address=row.client_address,
        started_at=row.created_at,
        last_used_at=row.last_used_at,
        ends_at=row.expires_at,
        current=row.id == principal.session_id,
    )


def revoke_session(*, session: Session, principal: Principal, session_id: int) -> SessionRead:
    """Sign one of the caller's own sessions out and return it; others' are not found."""
    auth_session = session.get(AuthSession, session_id)
    if auth_session is None or auth_session.user_id != principal.user_id:
        raise NotFound("No such session among yours")
    if session_id != principal.session_id:
        require_password_confirmation(principal, "sign out your other sessions")
    close_session(session=session, user_id=principal.user_id, session_id=session_id)
    return _read(auth_session, principal)


def sign_out_everywhere(*, session: Session, principal: Principal) -> int:
    """Revoke every session of the caller, this one included; return how many were open."""
    require_password_confirmation(principal, "sign out your other sessions")
    return revoke_all_sessions(session=session, user_id=principal.user_id)


def account_locked_until(*, session: Session, email: str) -> datetime | None:
    """Until when signing in to this account is locked after failed attempts (None if not)."""
    return lockout.locked_until(session, email.strip().lower())


def unlock_account(*, session: Session, principal: Principal | None, user: User) -> bool:
    """Lift an account's sign-in lock (recorded); False when it was not locked."""
    return lockout.unlock(session, principal, user)
