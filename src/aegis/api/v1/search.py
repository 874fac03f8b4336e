"""Search across the objects of the caller's units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aegis.domains.search import service
from aegis.domains.search.schemas import SearchQuery, SearchResults
from aegis.http.deps import CurrentPrincipal, SessionDep

router = APIRouter(prefix="/search", tags=["search"])


@router.get("", response_model=SearchResults)
def search(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[SearchQuery, Query()]
) -> SearchResults:
    """Risks, assets, controls, requirements, evidence and tasks whose text contains `q`."""
    return service.search(session=session, principal=principal, query=query)
