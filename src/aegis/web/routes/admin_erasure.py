"""Administration: erasing a former user's personal data on their request."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.domains.common.bounds import Id
from aegis.domains.users import erasure
from aegis.domains.users import service as users
from aegis.http.deps import SessionDep
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/admin")


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    user_id: int,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    user = users.get_administered_user(session=session, principal=principal, user_id=user_id)
    manages_all = users.administers_all_roles_of(
        session=session, principal=principal, user_id=user_id
    )
    refusal = None
    if not manages_all:
        refusal = "Only an administrator of all of this user's units can erase their data."
    elif user.id == principal.user_id:
        refusal = erasure.ONESELF
    elif erasure.is_erased(user.email):
        refusal = erasure.ALREADY
    elif user.is_active:
        refusal = erasure.STILL_ACTIVE
    return render(
        request,
        "admin/erase.html",
        principal,
        status_code=status_code,
        user=user,
        refusal=refusal,
        error=error,
    )


@router.get("/users/{user_id}/erase")
def erase_page(
    user_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """What erasing the user's personal data removes and keeps, and the button that does it."""
    return _page(request, session, principal, user_id)


@router.post("/users/{user_id}/erase", dependencies=[CsrfChecked])
def erase(user_id: Id, request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Erase the user's personal data (a disabled user; the password confirmed recently)."""
    users.get_administered_user(session=session, principal=principal, user_id=user_id)
    try:
        erased = save(
            session,
            lambda: erasure.erase_personal_data(
                session=session, principal=principal, user_id=user_id
            ),
            unit_field=None,
        )
    except Refused as refused:
        message = " ".join(dict.fromkeys(refused.errors.values()))
        return _page(request, session, principal, user_id, message, refused.status)
    return redirect_with_message(
        request,
        f"/admin/users/{user_id}",
        f"The personal data was erased: the account is now {erased.user.name}.",
    )
