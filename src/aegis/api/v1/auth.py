"""Sign-in, token refresh, logout and the current user."""

from __future__ import annotations

from fastapi import APIRouter, status

from aegis.domains.auth import service
from aegis.domains.auth.schemas import LoginRequest, RefreshRequest, TokenPair
from aegis.domains.users import service as users
from aegis.domains.users.schemas import MeRead
from aegis.http.deps import CurrentPrincipal, SessionDep, TokenPolicyDep

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=TokenPair)
def login(body: LoginRequest, session: SessionDep, policy: TokenPolicyDep) -> TokenPair:
    """Exchange e-mail and password for an access token and a refresh token."""
    return service.login(session=session, email=body.email, password=body.password, policy=policy)


@router.post("/refresh", response_model=TokenPair)
def refresh(body: RefreshRequest, session: SessionDep, policy: TokenPolicyDep) -> TokenPair:
    """Exchange a refresh token (usable once) for a new pair."""
    return service.refresh(session=session, refresh_token=body.refresh_token, policy=policy)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    session: SessionDep, principal: CurrentPrincipal, body: RefreshRequest | None = None
) -> None:
    """Revoke the current login session; its tokens stop working at once."""
    service.logout(
        session=session, principal=principal, refresh_token=body.refresh_token if body else None
    )


@router.get("/me", response_model=MeRead)
def me(session: SessionDep, principal: CurrentPrincipal) -> MeRead:
    """The signed-in user and their role assignments."""
    return users.me(session=session, principal=principal)
