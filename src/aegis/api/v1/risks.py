"""The risk register."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.discussion import attachments
from aegis.domains.risks import service
from aegis.domains.risks.schemas import (
    RiskCreate,
    RiskHistoryQuery,
    RiskQuery,
    RiskRead,
    RiskScoreChangeRead,
    RiskUpdate,
)
from aegis.http.deps import BlobStoreDep, CurrentPrincipal, SessionDep
from aegis.http.versions import IfMatch, expecting, tag

router = APIRouter(prefix="/risks", tags=["risks"])


@router.get("", response_model=Page[RiskRead])
def list_risks(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[RiskQuery, Query()]
) -> Page[RiskRead]:
    """Risks of the caller's units, filtered, sorted and paginated."""
    return service.list_risks(session=session, principal=principal, query=query)


@router.post("", response_model=RiskRead, status_code=status.HTTP_201_CREATED)
def create_risk(body: RiskCreate, session: SessionDep, principal: CurrentPrincipal) -> RiskRead:
    """Add a risk."""
    return service.create_risk(session=session, principal=principal, data=body)


@router.get("/{risk_id}", response_model=RiskRead)
def get_risk(
    risk_id: Id, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> RiskRead:
    """One risk."""
    item = service.get_risk(session=session, principal=principal, risk_id=risk_id)
    tag(response, item.version)
    return item


@router.patch("/{risk_id}", response_model=RiskRead)
def update_risk(
    risk_id: Id,
    body: RiskUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: IfMatch,
) -> RiskRead:
    """Change a risk, its status, ratings, treatment or links."""
    item = service.update_risk(
        session=session,
        principal=principal,
        risk_id=risk_id,
        data=expecting(body, version),
    )
    tag(response, item.version)
    return item


@router.delete("/{risk_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_risk(
    risk_id: Id, session: SessionDep, principal: CurrentPrincipal, store: BlobStoreDep
) -> None:
    """Delete a risk with its comments and attached files."""
    attachments.delete_all_attachments(
        session=session, principal=principal, store=store, risk_id=risk_id
    )
    service.delete_risk(session=session, principal=principal, risk_id=risk_id)


@router.get("/{risk_id}/history", response_model=Page[RiskScoreChangeRead])
def risk_history(
    risk_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    query: Annotated[RiskHistoryQuery, Query()],
) -> Page[RiskScoreChangeRead]:
    """Every score the risk has had, oldest first."""
    return service.get_risk_history(
        session=session, principal=principal, risk_id=risk_id, query=query
    )
