"""API tokens in My account (create, see, revoke) and in the administration of users."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.api_tokens.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenQuery,
    ApiTokenRead,
    OwnTokenQuery,
)
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.users import service as users
from aegis.http.deps import SessionDep, SettingsDep
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.forms import form_values
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter()

DEFAULT_DAYS = 90
OUTSIDE = "a unit outside your units"


def _unit_choices(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """The units the user holds, by name, for the form's checkboxes."""
    names = lookups.unit_names(session, principal)
    return sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))


def _unit_text(token: ApiTokenRead, names: dict[int, str]) -> str:
    shown = sorted(names.get(unit_id, OUTSIDE) for unit_id in token.unit_ids)
    return ", ".join(shown) or "No unit any more"


def _own_page(
    request: Request,
    session: Session,
    principal: Principal,
    max_days: int,
    *,
    query: OwnTokenQuery | None = None,
    created: ApiTokenCreated | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The page of one's own tokens with the form to create one."""
    query = query or OwnTokenQuery()
    page = api_tokens.list_own_tokens(session=session, principal=principal, query=query)
    today = utcnow().date()
    choices = _unit_choices(session, principal)
    default = min(DEFAULT_DAYS, max_days)
    return render(
        request,
        "api_tokens/account.html",
        principal,
        status_code=status_code,
        page=page,
        created=created,
        units=dict(choices),
        unit_choices=choices,
        unit_text=_unit_text,
        values=values or {"expires_on": (today + timedelta(days=default)).isoformat()},
        errors=errors or {},
        earliest=(today + timedelta(days=1)).isoformat(),
        latest=(today + timedelta(days=max_days)).isoformat(),
        max_days=max_days,
    )


@router.get("/account/api-tokens")
def own_tokens(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    settings: SettingsDep,
    query: Annotated[OwnTokenQuery, Query()],
) -> Response:
    """The user's API tokens: name, prefix, access, units, expiry, last use; and a new one."""
    return _own_page(request, session, principal, settings.api_token_max_days, query=query)


@router.post("/account/api-tokens", dependencies=[CsrfChecked])
async def create_token(
    request: Request, session: SessionDep, principal: WebPrincipal, settings: SettingsDep
) -> Response:
    """Create a token and show its secret, this once."""
    values = form_values(await request.form(), lists=("unit_ids",))
    max_days = settings.api_token_max_days
    try:
        created = save(
            session,
            lambda: api_tokens.create_token(
                session=session,
                principal=principal,
                data=ApiTokenCreate(**values),
                max_days=max_days,
            ),
            unit_field="unit_ids",
        )
    except Refused as refused:
        return _own_page(
            request,
            session,
            principal,
            max_days,
            values=values,
            errors=refused.errors,
            status_code=refused.status,
        )
    return _own_page(request, session, principal, max_days, created=created)


@router.post("/account/api-tokens/{token_id}/revoke", dependencies=[CsrfChecked])
def revoke_own_token(
    token_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Revoke one of the user's tokens: programs using it are refused from now on."""
    token = api_tokens.revoke_token(session=session, principal=principal, token_id=token_id)
    return redirect_with_message(
        request,
        "/account/api-tokens",
        f"Revoked the API token '{token.name}' ({token.prefix}…); it no longer works.",
    )


def _admin_page(
    request: Request, session: Session, principal: Principal, query: ApiTokenQuery
) -> Response:
    page: Page[ApiTokenRead] = api_tokens.list_administered_tokens(
        session=session, principal=principal, query=query
    )
    owners = users.names_by_id(session=session, user_ids={t.user_id for t in page.items})
    return render(
        request,
        "api_tokens/admin.html",
        principal,
        page=page,
        query=query,
        owners=owners,
        units=lookups.unit_names(session, principal),
        unit_text=_unit_text,
    )


@router.get("/admin/api-tokens")
def administered_tokens(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    query: Annotated[ApiTokenQuery, Query()],
) -> Response:
    """The API tokens of the users of the units the administrator administers."""
    return _admin_page(request, session, principal, query)


@router.post("/admin/api-tokens/{token_id}/revoke", dependencies=[CsrfChecked])
def revoke_administered_token(
    token_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Revoke a token of a user of the administrator's units."""
    principal.require_admin()
    token = api_tokens.revoke_token(session=session, principal=principal, token_id=token_id)
    owner = users.names_by_id(session=session, user_ids={token.user_id}).get(token.user_id, "")
    return redirect_with_message(
        request,
        "/admin/api-tokens",
        f"Revoked the API token '{token.name}' ({token.prefix}…) of {owner}; it no longer works.",
    )
