"""The change-password page and the strength meter of new-password fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from aegis.domains.common.passwords import estimate
from aegis.domains.users import service as users
from aegis.http.deps import SessionDep
from aegis.web.deps import CsrfChecked, WebSignedIn
from aegis.web.password_forms import password_page
from aegis.web.templating import render

router = APIRouter()


@router.get("/account/password")
def change_password_page(request: Request, session: SessionDep, principal: WebSignedIn) -> Response:
    """The form to change one's own password; says why when it must be changed first."""
    return password_page(request, session, principal)


@router.post("/form-parts/password-strength", dependencies=[CsrfChecked])
def password_strength(  # nosec B107 # empty defaults: an empty field reads as too short
    request: Request,
    session: SessionDep,
    principal: WebSignedIn,
    password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The strength meter of a new password being typed, by the rules it will be held to.

    Sent by POST so that the password stays out of addresses and logs; it is neither logged
    nor stored. `email` and `name` are those of the user the password is for (an
    administrator's form); without them, the signed-in user's own.
    """
    if not (email or name):
        me = users.me(session=session, principal=principal)
        email, name = me.email, me.name
    reading = estimate(new_password or password, context=[email, name])
    return render(request, "session/password_meter.html", principal, reading=reading)
