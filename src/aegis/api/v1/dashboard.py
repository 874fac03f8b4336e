"""The dashboard: posture figures of the caller's units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aegis.core.db import utcnow
from aegis.domains.dashboard import service
from aegis.domains.dashboard.schemas import DashboardQuery, DashboardSummary
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.openapi import error_responses

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


@router.get("", response_model=DashboardSummary, responses=error_responses(404))
def get_dashboard(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[DashboardQuery, Query()]
) -> DashboardSummary:
    """Risk, task, evidence, compliance and activity figures of the caller's units.

    With `unit_id`, every figure covers only that unit and the units below it that the
    caller can see; a unit the caller cannot see is not found.
    """
    return service.summary(
        session=session, principal=principal, today=utcnow().date(), unit_id=query.unit_id
    )
