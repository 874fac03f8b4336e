"""The asset inventory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from aegis.domains.assets import service
from aegis.domains.assets.schemas import AssetCreate, AssetQuery, AssetRead, AssetUpdate
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.versions import IfMatch, expecting, tag

router = APIRouter(prefix="/assets", tags=["assets"])


@router.get("", response_model=Page[AssetRead])
def list_assets(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[AssetQuery, Query()]
) -> Page[AssetRead]:
    """Assets of the caller's units, filtered, sorted and paginated."""
    return service.list_assets(session=session, principal=principal, query=query)


@router.post("", response_model=AssetRead, status_code=status.HTTP_201_CREATED)
def create_asset(body: AssetCreate, session: SessionDep, principal: CurrentPrincipal) -> AssetRead:
    """Add an asset."""
    return service.create_asset(session=session, principal=principal, data=body)


@router.get("/{asset_id}", response_model=AssetRead)
def get_asset(
    asset_id: Id, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> AssetRead:
    """One asset."""
    item = service.get_asset(session=session, principal=principal, asset_id=asset_id)
    tag(response, item.version)
    return item


@router.patch("/{asset_id}", response_model=AssetRead)
def update_asset(
    asset_id: Id,
    body: AssetUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: IfMatch,
) -> AssetRead:
    """Change an asset."""
    item = service.update_asset(
        session=session,
        principal=principal,
        asset_id=asset_id,
        data=expecting(body, version),
    )
    tag(response, item.version)
    return item


@router.delete("/{asset_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_asset(asset_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Delete an asset."""
    service.delete_asset(session=session, principal=principal, asset_id=asset_id)
