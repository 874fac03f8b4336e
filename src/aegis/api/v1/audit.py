"""The audit trail, and the check that none of it was changed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aegis.domains.audit import service
from aegis.domains.audit.schemas import AuditEntryRead, AuditEventQuery, ChainReport
from aegis.domains.audit.verify import verify_chain
from aegis.domains.common.listing import Page
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.openapi import error_responses

router = APIRouter(prefix="/audit-events", tags=["audit"])


@router.get("", response_model=Page[AuditEntryRead], responses=error_responses(403))
def list_events(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[AuditEventQuery, Query()]
) -> Page[AuditEntryRead]:
    """Recorded changes in the caller's units (admin and readonly roles), names resolved."""
    return service.list_events(session=session, principal=principal, query=query)


@router.get("/verify", response_model=ChainReport, responses=error_responses(403))
def verify(session: SessionDep, principal: CurrentPrincipal) -> ChainReport:
    """Check every event's seal, oldest first, and name the first broken link.

    Only administrators of the whole organisation may run it. `intact` is false when an
    event was edited, deleted, reordered or inserted; `broken` says where and how.
    """
    return verify_chain(session=session, principal=principal)
