"""Accepting a risk: a request with a justification and an end day, decided by someone else."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.core.errors import PermissionDenied, ValidationFailed
from aegis.core.messages import choice_label
from aegis.domains.common import versions
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.risks import acceptance_repository as requests_repo
from aegis.domains.risks import repository as repo
from aegis.domains.risks import service
from aegis.domains.risks.acceptance_schemas import (
    AcceptanceDecision,
    AcceptancePolicy,
    AcceptanceRequestCreate,
    AcceptanceRequestQuery,
    AcceptanceRequestRead,
)
from aegis.domains.risks.errors import (
    AcceptanceRequestDecided,
    AcceptanceRequestNotFound,
    AcceptanceRequestPending,
    InvalidTransition,
    OwnAcceptanceRequest,
    RiskNotFound,
)
from aegis.domains.risks.expiry import expire_if_due
from aegis.domains.risks.rules import SET_BY_AEGIS as SET_BY_AEGIS
from aegis.domains.risks.rules import check_acceptable
from aegis.models import Risk, RiskAcceptanceRequest
from aegis.models.enums import AcceptanceRequestStatus, RiskStatus, Treatment

ENTITY = "risk_acceptance_request"
FIELDS = (
    "risk_id",
    "status",
    "justification",
    "expires_on",
    "requested_by_id",
    "decided_by_id",
    "decision_comment",
)
SORTABLE = {
    "requested_at": RiskAcceptanceRequest.requested_at,
    "expires_on": RiskAcceptanceRequest.expires_on,
    "id": RiskAcceptanceRequest.id,
}
NEWEST_FIRST = (RiskAcceptanceRequest.requested_at.desc(), RiskAcceptanceRequest.id.desc())
PENDING = AcceptanceRequestStatus.PENDING


def _read_many(
    session: Session,
    principal: Principal,
    policy: AcceptancePolicy,
    rows: list[RiskAcceptanceRequest],
) -> list[AcceptanceRequestRead]:
    risks = requests_repo.risks_of(session, [r.risk_id for r in rows])
    deciding = policy.units_decided_by(principal)
    reads = []
    for row in rows:
        title, unit_id = risks[row.risk_id]
        may_decide = row.status == PENDING and row.requested_by_id != principal.user_id
        reads.append(
            AcceptanceRequestRead.model_validate(
                {
                    **{name: getattr(row, name) for name in FIELDS},
                    "id": row.id,
                    "requested_at": row.requested_at,
                    "decided_at": row.decided_at,
                    "risk_title": title,
                    "unit_id": unit_id,
                    "can_decide": may_decide and unit_id in deciding,
                }
            )
        )
    return reads


def _view(request: RiskAcceptanceRequest) -> dict[str, Any]:
    return snapshot(request, FIELDS)


def _locked_risk(session: Session, principal: Principal, risk_id: int) -> Risk:
    risk = repo.get(session, principal.readable, risk_id, lock=True)
    if risk is None:
        raise RiskNotFound("Risk not found")
    return risk


def can_be_accepted(status: RiskStatus | str) -> bool:
    """Whether a risk in this status may be asked to be accepted (or have it renewed)."""
    try:
        check_acceptable(RiskStatus(status))
    except InvalidTransition:
        return False
    return True


def _check_end(expires_on: date, today: date, policy: AcceptancePolicy) -> None:
    """The end day lies after today and within the longest acceptance allowed."""
    latest = today + timedelta(days=policy.max_days)
    if expires_on <= today:
        message = "The acceptance must end after today"
    elif expires_on > latest:
        message = (
            f"An acceptance may last at most {policy.max_days} days: "
            f"end it on {latest.isoformat()} or earlier"
        )
    else:
        return
    raise ValidationFailed(message, field="expires_on")


def request_acceptance(
    *,
    session: Session,
    principal: Principal,
    risk_id: int,
    data: AcceptanceRequestCreate,
    policy: AcceptancePolicy,
    today: date | None = None,
) -> AcceptanceRequestRead:
    """Ask for a risk of a unit the caller may change to be accepted until a day."""
    today = today or utcnow().date()
    risk = _locked_risk(session, principal, risk_id)
    principal.require_write(risk.unit_id)
    _check_end(data.expires_on, today, policy)
    expire_if_due(session, risk, today)
    check_acceptable(RiskStatus(risk.status))
    if requests_repo.pending_for(session, risk.id) is not None:
        message = "This risk already has a request to accept it waiting for a decision"
        raise AcceptanceRequestPending(message, details=[{"field": "risk_id", "message": message}])
    request = RiskAcceptanceRequest(
        risk_id=risk.id,
        status=PENDING.value,
        justification=data.justification,
        expires_on=data.expires_on,
        requested_by_id=principal.user_id,
        requested_at=utcnow(),
        decision_comment="",
    )
    session.add(request)
    session.flush()
    record(session, principal, "create", ENTITY, request.id, risk.unit_id, after=_view(request))
    return _read_many(session, principal, policy, [request])[0]


def _approvers(policy: AcceptancePolicy) -> str:
    if "analyst" in policy.approver_roles:
        return "an administrator or analyst"
    return "an administrator"


def _decidable(
    session: Session, principal: Principal, request_id: int, policy: AcceptancePolicy
) -> tuple[RiskAcceptanceRequest, Risk]:
    """The locked request and risk, once the caller may decide and it is still pending."""
    request = requests_repo.get(session, principal.readable, request_id, lock=True)
    if request is None:
        raise AcceptanceRequestNotFound("Acceptance request not found")
    risk = _locked_risk(session, principal, request.risk_id)
    if request.requested_by_id == principal.user_id:
        raise OwnAcceptanceRequest(
            "You asked for this acceptance, so someone else must approve or reject it"
        )
    if risk.unit_id not in policy.units_decided_by(principal):
        raise PermissionDenied(
            f"Only {_approvers(policy)} of the risk's unit, or of a unit above it, "
            "may approve or reject a request to accept it"
        )
    if request.status != PENDING:
        raise AcceptanceRequestDecided(
            f"This request was {choice_label(request.status).lower()} already"
        )
    return request, risk


def _decide(
    session: Session,
    principal: Principal,
    request: RiskAcceptanceRequest,
    unit_id: int,
    status: AcceptanceRequestStatus,
    comment: str,
) -> None:
    before = _view(request)
    request.status = status.value
    request.decided_by_id = principal.user_id
    request.decided_at = utcnow()
    request.decision_comment = comment
    session.flush()
    after = _view(request)
    context = {"risk_id": request.risk_id}
    record(
        session, principal, "update", ENTITY, request.id, unit_id, before, after, context=context
    )


def _refuse_stale(request: RiskAcceptanceRequest, today: date, policy: AcceptancePolicy) -> None:
    """An end day that has passed, or that a shorter maximum no longer allows, is refused."""
    try:
        _check_end(request.expires_on, today, policy)
    except ValidationFailed as exc:
        message = f"The requested end day no longer fits: {exc.message}. Reject it and ask again"
        raise AcceptanceRequestDecided(
            message, details=[{"field": "expires_on", "message": message}]
        ) from exc


def approve_request(
    *,
    session: Session,
    principal: Principal,
    request_id: int,
    data: AcceptanceDecision,
    policy: AcceptancePolicy,
    today: date | None = None,
) -> AcceptanceRequestRead:
    """Approve a request someone else made: the risk is accepted until the day they asked."""
    today = today or utcnow().date()
    request, risk = _decidable(session, principal, request_id, policy)
    expire_if_due(session, risk, today)
    check_acceptable(RiskStatus(risk.status))
    _refuse_stale(request, today, policy)
    before = service.audit_view(session, risk)
    risk.status = RiskStatus.ACCEPTED.value
    risk.treatment = Treatment.ACCEPT.value
    risk.acceptance_approver_id = principal.user_id
    risk.acceptance_justification = request.justification
    risk.acceptance_expires_on = request.expires_on
    session.flush()
    after = versions.saved(session, risk, before, service.audit_view(session, risk))
    record(session, principal, "update", "risk", risk.id, risk.unit_id, before, after)
    _decide(
        session, principal, request, risk.unit_id, AcceptanceRequestStatus.APPROVED, data.comment
    )
    return _read_many(session, principal, policy, [request])[0]


def reject_request(
    *,
    session: Session,
    principal: Principal,
    request_id: int,
    data: AcceptanceDecision,
    policy: AcceptancePolicy,
) -> AcceptanceRequestRead:
    """Reject a request someone else made, saying why; the risk stays as it is."""
    request, risk = _decidable(session, principal, request_id, policy)
    if not data.comment:
        raise ValidationFailed("Say why the request is rejected", field="comment")
    _decide(
        session, principal, request, risk.unit_id, AcceptanceRequestStatus.REJECTED, data.comment
    )
    return _read_many(session, principal, policy, [request])[0]


def list_requests(
    *,
    session: Session,
    principal: Principal,
    query: AcceptanceRequestQuery,
    policy: AcceptancePolicy,
) -> Page[AcceptanceRequestRead]:
    """Requests about risks of the caller's units, newest first unless sorted."""
    stmt = requests_repo.filtered(
        principal.readable,
        query,
        user_id=principal.user_id,
        deciding=policy.units_decided_by(principal),
    )
    rows, total = fetch_page(session, apply_sort(stmt, query.sort, SORTABLE, NEWEST_FIRST), query)
    return Page.of(_read_many(session, principal, policy, rows), total, query)


def get_request(
    *, session: Session, principal: Principal, request_id: int, policy: AcceptancePolicy
) -> AcceptanceRequestRead:
    """One request about a risk of the caller's units."""
    request = requests_repo.get(session, principal.readable, request_id)
    if request is None:
        raise AcceptanceRequestNotFound("Acceptance request not found")
    return _read_many(session, principal, policy, [request])[0]
