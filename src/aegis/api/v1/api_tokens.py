"""API tokens: one's own (create, list, revoke) and, for administrators, those of their users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from aegis.domains.api_tokens import service
from aegis.domains.api_tokens.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenQuery,
    ApiTokenRead,
    OwnTokenQuery,
)
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.http.deps import CurrentPrincipal, SessionDep, SettingsDep
from aegis.http.openapi import error_responses, sensitive_responses

router = APIRouter(prefix="/api-tokens", tags=["api-tokens"])


@router.get("", response_model=Page[ApiTokenRead])
def list_tokens(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[OwnTokenQuery, Query()]
) -> Page[ApiTokenRead]:
    """Your own API tokens, newest first; their secrets are never shown again."""
    return service.list_own_tokens(session=session, principal=principal, query=query)


@router.post(
    "",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    responses=sensitive_responses(),
)
def create_token(
    body: ApiTokenCreate, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> ApiTokenCreated:
    """Create an API token limited to units you hold; its secret is in this answer only."""
    return service.create_token(
        session=session, principal=principal, data=body, max_days=settings.api_token_max_days
    )


@router.get("/administered", response_model=Page[ApiTokenRead], responses=error_responses(403))
def list_administered_tokens(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[ApiTokenQuery, Query()]
) -> Page[ApiTokenRead]:
    """API tokens of the users holding a role on a unit you administer."""
    return service.list_administered_tokens(session=session, principal=principal, query=query)


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Revoke one of your tokens, or, as administrator, a token of a user of your units."""
    service.revoke_token(session=session, principal=principal, token_id=token_id)
