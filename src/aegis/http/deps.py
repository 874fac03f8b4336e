"""Request dependencies: settings, the transactional session, the principal, role gates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import is_lock_contention, mark_reads_only, transaction
from aegis.core.errors import AegisError, AuthenticationFailed
from aegis.core.settings import Settings
from aegis.core.storage import LocalBlobStore
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.auth import service as auth_service
from aegis.domains.auth.schemas import ClientInfo, SessionCheck, SessionPolicy, TokenPolicy
from aegis.http.token_auth import token_principal


def get_settings_dep(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request: committed when the handler succeeds, else rolled back."""
    session: Session = request.app.state.session_factory()
    if request.method in READING_METHODS:
        mark_reads_only(session)
    try:
        yield session
        session.commit()
    except AegisError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(
    auto_error=False,
    description="Access token from POST /api/v1/auth/login, or an API token (aegis_...)",
)


def session_policy(settings: Settings) -> SessionPolicy:
    """Idle timeout and absolute lifetime of login sessions, from the settings."""
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
        confirmation=timedelta(minutes=settings.password_confirmation_minutes),
    )


def client_info(request: Request) -> ClientInfo:
    """The user agent and address a request comes from."""
    return ClientInfo(
        user_agent=request.headers.get("user-agent"),
        address=request.client.host if request.client else None,
    )


ClientDep = Annotated[ClientInfo, Depends(client_info)]


def record_use(request: Request, session: Session, check: SessionCheck) -> Principal:
    """Record the session's use when due (postponing its idle timeout); return the principal."""
    session_id = check.principal.session_id
    if not check.needs_touch or session_id is None:
        return check.principal
    if request.method not in READING_METHODS:
        auth_service.touch_session(session=session, session_id=session_id)
        return check.principal
    try:  # a reading request's own transaction does not write: record in a short one
        with transaction(request.app.state.session_factory) as own:
            auth_service.touch_session(session=own, session_id=session_id)
    except DBAPIError as exc:
        if not is_lock_contention(exc):
            raise  # a busy database only delays the record to the next request
    return check.principal


def get_signed_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The signed-in user (or API token), even one who must choose a new password first."""
    if credentials is None:
        raise AuthenticationFailed("Sign in first: send 'Authorization: Bearer <access token>'")
    if api_tokens.is_api_token(credentials.credentials):
        return token_principal(request, session, credentials.credentials)
    check = auth_service.principal_for_token(
        session=session,
        token=credentials.credentials,
        jwt_secret=settings.jwt_secret_key,
        policy=session_policy(settings),
    )
    return record_use(request, session, check)


# only for changing one's own password, reading one's profile and signing out
SignedInPrincipal = Annotated[Principal, Depends(get_signed_in)]


def get_principal(session: SessionDep, principal: SignedInPrincipal) -> Principal:
    """The signed-in user (or API token), resolved from the bearer token on every request.

    Refused with `password_change_required` while the user must choose a new password.
    """
    auth_service.refuse_until_password_changed(session=session, principal=principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_token_policy(settings: SettingsDep) -> TokenPolicy:
    """Token signing key, access-token lifetime and session limits from the settings."""
    return TokenPolicy(
        jwt_secret=settings.jwt_secret_key,
        access_lifetime=timedelta(minutes=settings.access_token_minutes),
        sessions=session_policy(settings),
    )


TokenPolicyDep = Annotated[TokenPolicy, Depends(get_token_policy)]


def get_session_policy(settings: SettingsDep) -> SessionPolicy:
    """Idle timeout and absolute lifetime of login sessions."""
    return session_policy(settings)


SessionPolicyDep = Annotated[SessionPolicy, Depends(get_session_policy)]


def get_blob_store(request: Request) -> LocalBlobStore:
    """The store uploaded files are written to."""
    store: LocalBlobStore = request.app.state.blob_store
    return store


BlobStoreDep = Annotated[LocalBlobStore, Depends(get_blob_store)]
