"""Accepting risks: the request form on a risk, the decision, and the requests to decide."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.domains.common.bounds import Id
from aegis.domains.risks import acceptance
from aegis.domains.risks import service as risks
from aegis.domains.risks.acceptance_schemas import (
    AcceptanceDecision,
    AcceptancePolicy,
    AcceptanceRequestCreate,
    AcceptanceRequestQuery,
    AcceptanceRequestRead,
)
from aegis.domains.risks.schemas import RiskRead
from aegis.http.deps import SessionDep
from aegis.models.enums import AcceptanceRequestStatus
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.forms import form_values
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter()
PENDING = AcceptanceRequestStatus.PENDING
MOST = 200


def policy_of(request: Request) -> AcceptancePolicy:
    """The acceptance policy of the application's settings."""
    return AcceptancePolicy.from_settings(request.app.state.settings)


def _requests(
    session: SessionDep, principal: Principal, policy: AcceptancePolicy, **filters: Any
) -> list[AcceptanceRequestRead]:
    query = AcceptanceRequestQuery(limit=MOST, **filters)
    return acceptance.list_requests(
        session=session, principal=principal, query=query, policy=policy
    ).items


def summary(
    request: Request, session: SessionDep, principal: Principal, risk: RiskRead
) -> dict[str, Any]:
    """What the risk page shows of its acceptance: the request waiting, whether one may ask."""
    policy = policy_of(request)
    pending = _requests(session, principal, policy, risk_id=risk.id, status=PENDING)
    return {
        "pending": pending[0] if pending else None,
        "may_request": not pending
        and risk.unit_id in principal.writable
        and acceptance.can_be_accepted(risk.status),
    }


def _page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    risk_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    decision_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The acceptance page of a risk: its state, the request waiting, the form, the history."""
    risk = risks.get_risk(session=session, principal=principal, risk_id=risk_id)
    policy = policy_of(request)
    history = _requests(session, principal, policy, risk_id=risk_id)
    today = utcnow().date()
    return render(
        request,
        "risks/acceptance.html",
        principal,
        status_code=status_code,
        risk=risk,
        history=history,
        people=dict(lookups.people(session, principal)),
        latest=today + timedelta(days=policy.max_days),
        tomorrow=today + timedelta(days=1),
        max_days=policy.max_days,
        user_id=principal.user_id,
        may_write=risk.unit_id in principal.writable,
        values=values or {},
        errors=errors or {},
        decision_errors=decision_errors or {},
        **summary(request, session, principal, risk),
    )


@router.get("/risks/{risk_id}/acceptance")
def acceptance_page(
    risk_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """A risk's acceptance: current state, the request to decide, the form to ask, the history."""
    return _page(request, session, principal, risk_id)


@router.post("/risks/{risk_id}/acceptance", dependencies=[CsrfChecked])
async def ask_for_acceptance(
    risk_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Ask for the risk to be accepted, or show the form again with the reasons."""
    values = form_values(await request.form())
    policy = policy_of(request)
    try:
        save(
            session,
            lambda: acceptance.request_acceptance(
                session=session,
                principal=principal,
                risk_id=risk_id,
                data=AcceptanceRequestCreate(**values),
                policy=policy,
            ),
            unit_field=None,
        )
    except Refused as refused:
        return _page(
            request,
            session,
            principal,
            risk_id,
            values=values,
            errors=refused.errors,
            status_code=refused.status,
        )
    return redirect_with_message(
        request,
        f"/risks/{risk_id}/acceptance",
        "Your request to accept the risk was sent; an approver of its unit decides.",
    )


async def _decide(
    request_id: int, request: Request, session: SessionDep, principal: Principal, approve: bool
) -> Response:
    values = form_values(await request.form())
    policy = policy_of(request)
    found = acceptance.get_request(
        session=session, principal=principal, request_id=request_id, policy=policy
    )
    decide = acceptance.approve_request if approve else acceptance.reject_request
    try:
        save(
            session,
            lambda: decide(
                session=session,
                principal=principal,
                request_id=request_id,
                data=AcceptanceDecision(**values),
                policy=policy,
            ),
            unit_field=None,
        )
    except Refused as refused:
        return _page(
            request,
            session,
            principal,
            found.risk_id,
            values=values,
            decision_errors=refused.errors,
            status_code=refused.status,
        )
    message = (
        f"Approved: the risk is accepted until {found.expires_on.isoformat()}."
        if approve
        else "Rejected: the risk stays as it was."
    )
    return redirect_with_message(request, f"/risks/{found.risk_id}/acceptance", message)


@router.post("/acceptance-requests/{request_id}/approve", dependencies=[CsrfChecked])
async def approve(
    request_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Approve a request someone else made."""
    return await _decide(request_id, request, session, principal, approve=True)


@router.post("/acceptance-requests/{request_id}/reject", dependencies=[CsrfChecked])
async def reject(
    request_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Reject a request someone else made, saying why."""
    return await _decide(request_id, request, session, principal, approve=False)


@router.get("/acceptance-requests")
def requests_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Requests waiting for the user's decision, then those waiting for someone else."""
    policy = policy_of(request)
    return render(
        request,
        "risks/acceptance_requests.html",
        principal,
        mine=_requests(session, principal, policy, awaiting_me=True),
        others=_requests(session, principal, policy, status=PENDING, awaiting_me=False),
        people=dict(lookups.people(session, principal)),
        units=lookups.unit_names(session, principal),
    )
