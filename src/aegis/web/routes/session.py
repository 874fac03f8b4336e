"""Sign-in, sign-out and the user's own account."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from aegis.core.errors import AuthenticationFailed, ValidationFailed
from aegis.domains.auth import service as auth
from aegis.domains.users import service as users
from aegis.http.deps import SessionDep, SettingsDep
from aegis.web import lookups
from aegis.web.cookies import COOKIE_NAME
from aegis.web.deps import CsrfChecked, WebPrincipal, codec
from aegis.web.forms import field_errors
from aegis.web.templating import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after sign-in (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _set_cookie(request: Request, response: Response, value: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return render(request, "session/login.html", next=_safe_next(next), email="", error=None)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the credentials, open a session and go where the user was heading."""
    lifetime = timedelta(hours=settings.web_session_hours)
    try:
        session_id = auth.open_session(
            session=session, email=email, password=password, lifetime=lifetime
        )
    except AuthenticationFailed:
        return render(
            request,
            "session/login.html",
            status_code=401,
            next=_safe_next(next),
            email=email,
            error="Invalid e-mail or password",
        )
    user_id = auth.session_user_id(session=session, session_id=session_id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    cookie = codec(request).encode(user_id or 0, session_id)
    _set_cookie(request, response, cookie, int(lifetime.total_seconds()))
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """End the browser session."""
    if principal.session_id is not None:
        auth.close_session(
            session=session, user_id=principal.user_id, session_id=principal.session_id
        )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@router.get("/account")
def account(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The signed-in user's profile and password form."""
    me = users.me(session=session, principal=principal)
    units = lookups.unit_names(session, principal)
    return render(request, "session/account.html", principal, me=me, units=units, errors={})


@router.post("/account/name", dependencies=[CsrfChecked])
def rename(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Change the signed-in user's display name."""
    try:
        users.rename_self(session=session, principal=principal, name=name)
    except ValidationFailed as exc:
        me = users.me(session=session, principal=principal)
        return render(
            request,
            "session/account.html",
            principal,
            status_code=422,
            me=me,
            units=lookups.unit_names(session, principal),
            errors=field_errors(exc),
        )
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password", dependencies=[CsrfChecked])
def change_password(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
    confirm_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change the password; every session ends and the user signs in again."""
    me = users.me(session=session, principal=principal)
    try:
        if new_password != confirm_password:
            raise ValidationFailed("The two new passwords differ", field="confirm_password")
        users.change_own_password(
            session=session, principal=principal, current=current_password, new=new_password
        )
    except ValidationFailed as exc:
        return render(
            request,
            "session/account.html",
            principal,
            status_code=422,
            me=me,
            units=lookups.unit_names(session, principal),
            errors=field_errors(exc),
        )
    response = RedirectResponse("/login?changed=1", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response
