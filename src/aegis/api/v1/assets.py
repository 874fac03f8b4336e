"""The asset inventory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from aegis.domains.assets import service
from aegis.domains.assets.schemas import AssetCreate, AssetQuery, AssetRead, AssetUpdate
from aegis.domains.common.listing import Page
from aegis.http.deps import CurrentPrincipal, SessionDep

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
def get_asset(asset_id: int, session: SessionDep, principal: CurrentPrincipal) -> AssetRead:
    """One asset."""
    return service.get_asset(session=session, principal=principal, asset_id=asset_id)


@router.patch("/{asset_id}", response_model=AssetRead)
def update_asset(
    asset_id: int, body: AssetUpdate, session: SessionDep, principal: CurrentPrincipal
) -> AssetRead:
    """Change an asset."""
    return service.update_asset(session=session, principal=principal, asset_id=asset_id, data=body)


@router.delete("/{asset_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_asset(asset_id: int, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Delete an asset."""
    service.delete_asset(session=session, principal=principal, asset_id=asset_id)
