"""Organisational units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.units import service
from aegis.domains.units.schemas import UnitCreate, UnitQuery, UnitRead, UnitUpdate
from aegis.http.deps import CurrentPrincipal, SessionDep

router = APIRouter(prefix="/units", tags=["units"])


@router.get("", response_model=Page[UnitRead])
def list_units(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[UnitQuery, Query()]
) -> Page[UnitRead]:
    """Units the caller can see."""
    return service.list_units(session=session, principal=principal, query=query)


@router.post("", response_model=UnitRead, status_code=status.HTTP_201_CREATED)
def create_unit(body: UnitCreate, session: SessionDep, principal: CurrentPrincipal) -> UnitRead:
    """Create a unit under a parent the caller administers."""
    return service.create_unit(session=session, principal=principal, data=body)


@router.get("/{unit_id}", response_model=UnitRead)
def get_unit(unit_id: Id, session: SessionDep, principal: CurrentPrincipal) -> UnitRead:
    """One unit."""
    return service.get_unit(session=session, principal=principal, unit_id=unit_id)


@router.patch("/{unit_id}", response_model=UnitRead)
def update_unit(
    unit_id: Id, body: UnitUpdate, session: SessionDep, principal: CurrentPrincipal
) -> UnitRead:
    """Rename, describe or move a unit."""
    return service.update_unit(session=session, principal=principal, unit_id=unit_id, data=body)


@router.delete("/{unit_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_unit(unit_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Delete an empty unit."""
    service.delete_unit(session=session, principal=principal, unit_id=unit_id)
