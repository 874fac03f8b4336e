"""The organisation's controls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.controls import service
from aegis.domains.controls.schemas import ControlCreate, ControlQuery, ControlRead, ControlUpdate
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.versions import IfMatch, expecting, tag

router = APIRouter(prefix="/controls", tags=["controls"])


@router.get("", response_model=Page[ControlRead])
def list_controls(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[ControlQuery, Query()]
) -> Page[ControlRead]:
    """Controls of the caller's units, filtered, sorted and paginated."""
    return service.list_controls(session=session, principal=principal, query=query)


@router.post("", response_model=ControlRead, status_code=status.HTTP_201_CREATED)
def create_control(
    body: ControlCreate, session: SessionDep, principal: CurrentPrincipal
) -> ControlRead:
    """Add a control."""
    return service.create_control(session=session, principal=principal, data=body)


@router.get("/{control_id}", response_model=ControlRead)
def get_control(
    control_id: Id, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> ControlRead:
    """One control."""
    item = service.get_control(session=session, principal=principal, control_id=control_id)
    tag(response, item.version)
    return item


@router.patch("/{control_id}", response_model=ControlRead)
def update_control(
    control_id: Id,
    body: ControlUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: IfMatch,
) -> ControlRead:
    """Change a control."""
    item = service.update_control(
        session=session,
        principal=principal,
        control_id=control_id,
        data=expecting(body, version),
    )
    tag(response, item.version)
    return item


@router.delete("/{control_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_control(control_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Delete a control."""
    service.delete_control(session=session, principal=principal, control_id=control_id)
