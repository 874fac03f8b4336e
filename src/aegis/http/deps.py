"""Request dependencies: settings, the transactional session, the principal, role gates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import mark_reads_only
from aegis.core.errors import AegisError, AuthenticationFailed
from aegis.core.settings import Settings
from aegis.core.storage import LocalBlobStore
from aegis.domains.auth import service as auth_service
from aegis.domains.auth.schemas import TokenPolicy


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

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/login")


def get_principal(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The signed-in user, resolved from the bearer token on every request."""
    if credentials is None:
        raise AuthenticationFailed("Sign in first: send 'Authorization: Bearer <access token>'")
    return auth_service.principal_for_token(
        session=session, token=credentials.credentials, jwt_secret=settings.jwt_secret_key
    )


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_token_policy(settings: SettingsDep) -> TokenPolicy:
    """Token signing key and lifetimes from the settings."""
    return TokenPolicy(
        jwt_secret=settings.jwt_secret_key,
        access_lifetime=timedelta(minutes=settings.access_token_minutes),
        refresh_lifetime=timedelta(days=settings.refresh_token_days),
    )


TokenPolicyDep = Annotated[TokenPolicy, Depends(get_token_policy)]


def get_blob_store(request: Request) -> LocalBlobStore:
    """The store uploaded files are written to."""
    store: LocalBlobStore = request.app.state.blob_store
    return store


BlobStoreDep = Annotated[LocalBlobStore, Depends(get_blob_store)]
