"""My account: the security notices of the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from aegis.domains.notifications import service as notifications
from aegis.domains.notifications.schemas import NoticeQuery
from aegis.http.deps import SessionDep, SettingsDep
from aegis.web.deps import WebPrincipal
from aegis.web.templating import render

router = APIRouter()


@router.get("/account/notices")
def my_notices(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    settings: SettingsDep,
    query: Annotated[NoticeQuery, Query()],
) -> Response:
    """Every security notice of the user, newest first, with whether it was e-mailed."""
    page = notifications.list_own_notices(session=session, principal=principal, query=query)
    return render(
        request,
        "notifications/account.html",
        principal,
        page=page,
        mail=bool(settings.smtp_server),
    )
