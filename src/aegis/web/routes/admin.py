"""Administration overview: what an administrator manages, with counts and links."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from aegis.domains.risks import service as risks
from aegis.domains.users import service as users
from aegis.domains.users.schemas import UserQuery
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.admin_support import is_root_admin
from aegis.web.deps import WebPrincipal
from aegis.web.templating import render

router = APIRouter(prefix="/admin")


@router.get("")
def overview(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """What an administrator manages, with counts and links."""
    principal.require_admin()
    everyone = users.list_administered_users(
        session=session, principal=principal, query=UserQuery(limit=1)
    )
    active = users.list_administered_users(
        session=session, principal=principal, query=UserQuery(limit=1, is_active=True)
    )
    matrix = risks.get_risk_matrix(session=session)
    return render(
        request,
        "admin/index.html",
        principal,
        user_count=everyone.total,
        active_count=active.total,
        unit_count=len(lookups.administered_units(session, principal)),
        matrix=matrix,
        root_admin=is_root_admin(session, principal),
    )
