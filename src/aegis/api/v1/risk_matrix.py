"""The risk matrix: likelihood and impact levels and the bands naming the scores."""

from __future__ import annotations

from fastapi import APIRouter

from aegis.domains.risks import service
from aegis.domains.risks.schemas import RiskMatrix
from aegis.http.deps import CurrentPrincipal, SessionDep

router = APIRouter(prefix="/risk-matrix", tags=["risks"])


@router.get("", response_model=RiskMatrix)
def get_risk_matrix(session: SessionDep, principal: CurrentPrincipal) -> RiskMatrix:
    """The matrix in force."""
    return service.get_risk_matrix(session=session)


@router.put("", response_model=RiskMatrix)
def update_risk_matrix(
    body: RiskMatrix, session: SessionDep, principal: CurrentPrincipal
) -> RiskMatrix:
    """Replace the matrix and recompute every risk's levels (root administrators)."""
    return service.update_risk_matrix(session=session, principal=principal, data=body)
