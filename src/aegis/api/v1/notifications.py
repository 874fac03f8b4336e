"""The signed-in user's security notices (what changed on their account, and when)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aegis.domains.common.listing import Page
from aegis.domains.notifications import service
from aegis.domains.notifications.schemas import NoticeQuery, NoticeRead
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.openapi import error_responses

router = APIRouter(prefix="/auth", tags=["auth"])


@router.get("/notices", response_model=Page[NoticeRead], responses=error_responses(403))
def my_notices(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[NoticeQuery, Query()]
) -> Page[NoticeRead]:
    """Your security notices, newest first: password and sign-in factor changes, locks,
    reused codes, new devices. Those not e-mailed yet (no mail server) are here too.
    Refused to API tokens."""
    return service.list_own_notices(session=session, principal=principal, query=query)
