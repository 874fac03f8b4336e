"""The audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aegis.domains.audit import service
from aegis.domains.audit.schemas import AuditEntryRead, AuditEventQuery
from aegis.domains.common.listing import Page
from aegis.http.deps import CurrentPrincipal, SessionDep

router = APIRouter(prefix="/audit-events", tags=["audit"])


@router.get("", response_model=Page[AuditEntryRead])
def list_events(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[AuditEventQuery, Query()]
) -> Page[AuditEntryRead]:
    """Recorded changes in the caller's units (admin and readonly roles), names resolved."""
    return service.list_events(session=session, principal=principal, query=query)
