"""The quarantine: infected uploads, listed for administrators and never served."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aegis.domains.common.listing import Page
from aegis.domains.quarantine import service
from aegis.domains.quarantine.schemas import QuarantinedFileRead, QuarantineQuery
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.openapi import error_responses

router = APIRouter(prefix="/quarantine", tags=["quarantine"])


@router.get("", response_model=Page[QuarantinedFileRead], responses=error_responses(403))
def list_quarantined(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[QuarantineQuery, Query()]
) -> Page[QuarantinedFileRead]:
    """Uploads refused as infected in the units the caller administers (admins only)."""
    return service.list_quarantined(session=session, principal=principal, query=query)
