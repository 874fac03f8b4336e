"""Queries of risk acceptance requests, scoped by the unit of the risk they are about."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, not_, or_, select
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.domains.risks.acceptance_schemas import AcceptanceRequestQuery
from aegis.models import Risk, RiskAcceptanceRequest
from aegis.models.enums import AcceptanceRequestStatus

Request = RiskAcceptanceRequest
PENDING = AcceptanceRequestStatus.PENDING.value


def visible(units: frozenset[int]) -> Select[Any]:
    """Requests about risks of these units."""
    return (
        select(Request).join(Risk, Risk.id == Request.risk_id).where(in_units(Risk.unit_id, units))
    )


def awaiting(user_id: int, deciding: frozenset[int]) -> ColumnElement[bool]:
    """SQL condition: pending, about a risk of a unit the user decides, asked by someone else."""
    return and_(
        Request.status == PENDING,
        in_units(Risk.unit_id, deciding),
        or_(Request.requested_by_id.is_(None), Request.requested_by_id != user_id),
    )


def filtered(
    units: frozenset[int], query: AcceptanceRequestQuery, *, user_id: int, deciding: frozenset[int]
) -> Select[Any]:
    """Requests of these units matching the filters."""
    stmt = visible(units)
    if query.status is not None:
        stmt = stmt.where(Request.status == query.status.value)
    if query.risk_id is not None:
        stmt = stmt.where(Request.risk_id == query.risk_id)
    if query.awaiting_me is not None:
        condition = awaiting(user_id, deciding)
        stmt = stmt.where(condition if query.awaiting_me else not_(condition))
    return stmt


def get(
    session: Session, units: frozenset[int], request_id: int, *, lock: bool = False
) -> RiskAcceptanceRequest | None:
    """One request about a risk of these units, optionally locked for a decision."""
    stmt = visible(units).where(Request.id == request_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def pending_for(session: Session, risk_id: int) -> RiskAcceptanceRequest | None:
    """The request about this risk waiting for a decision, if any."""
    stmt = select(Request).where(Request.risk_id == risk_id, Request.status == PENDING)
    return session.scalars(stmt.order_by(Request.id).limit(1)).first()


def risks_of(session: Session, risk_ids: list[int]) -> dict[int, tuple[str, int]]:
    """{risk id: (title, unit id)} of these risks, in one query."""
    if not risk_ids:
        return {}
    rows = session.execute(
        select(Risk.id, Risk.title, Risk.unit_id).where(Risk.id.in_(sorted(set(risk_ids))))
    )
    return {risk_id: (title, unit_id) for risk_id, title, unit_id in rows}
