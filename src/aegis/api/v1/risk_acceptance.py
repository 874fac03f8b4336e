"""Requests to accept risks, approved or rejected by someone other than the requester."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.risks import acceptance
from aegis.domains.risks.acceptance_schemas import (
    AcceptanceDecision,
    AcceptancePolicy,
    AcceptanceRequestCreate,
    AcceptanceRequestQuery,
    AcceptanceRequestRead,
)
from aegis.http.deps import CurrentPrincipal, SessionDep, SettingsDep

router = APIRouter(tags=["risk acceptance"])


def _policy(settings: SettingsDep) -> AcceptancePolicy:
    return AcceptancePolicy.from_settings(settings)


Policy = Annotated[AcceptancePolicy, Depends(_policy)]


@router.post(
    "/risks/{risk_id}/acceptance-requests",
    response_model=AcceptanceRequestRead,
    status_code=status.HTTP_201_CREATED,
)
def request_acceptance(
    risk_id: Id,
    body: AcceptanceRequestCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    policy: Policy,
) -> AcceptanceRequestRead:
    """Ask for the risk to be accepted until a day; someone else approves or rejects it."""
    return acceptance.request_acceptance(
        session=session, principal=principal, risk_id=risk_id, data=body, policy=policy
    )


@router.get("/risk-acceptance-requests", response_model=Page[AcceptanceRequestRead])
def list_requests(
    session: SessionDep,
    principal: CurrentPrincipal,
    policy: Policy,
    query: Annotated[AcceptanceRequestQuery, Query()],
) -> Page[AcceptanceRequestRead]:
    """Requests about risks of the caller's units; awaiting_me=true lists those to decide."""
    return acceptance.list_requests(
        session=session, principal=principal, query=query, policy=policy
    )


@router.get("/risk-acceptance-requests/{request_id}", response_model=AcceptanceRequestRead)
def get_request(
    request_id: Id, session: SessionDep, principal: CurrentPrincipal, policy: Policy
) -> AcceptanceRequestRead:
    """One request."""
    return acceptance.get_request(
        session=session, principal=principal, request_id=request_id, policy=policy
    )


@router.post("/risk-acceptance-requests/{request_id}/approve", response_model=AcceptanceRequestRead)
def approve_request(
    request_id: Id,
    body: AcceptanceDecision,
    session: SessionDep,
    principal: CurrentPrincipal,
    policy: Policy,
) -> AcceptanceRequestRead:
    """Approve a request someone else made: the risk is accepted until the day asked for."""
    return acceptance.approve_request(
        session=session, principal=principal, request_id=request_id, data=body, policy=policy
    )


@router.post("/risk-acceptance-requests/{request_id}/reject", response_model=AcceptanceRequestRead)
def reject_request(
    request_id: Id,
    body: AcceptanceDecision,
    session: SessionDep,
    principal: CurrentPrincipal,
    policy: Policy,
) -> AcceptanceRequestRead:
    """Reject a request someone else made, with the reason; the risk stays as it is."""
    return acceptance.reject_request(
        session=session, principal=principal, request_id=request_id, data=body, policy=policy
    )
