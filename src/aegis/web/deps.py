"""Dependencies of the pages: the signed-in principal from the cookie, CSRF checks."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from aegis.core.authz import Principal
from aegis.core.errors import AuthenticationFailed, PermissionDenied
from aegis.domains.auth import service as auth
from aegis.domains.users import service as users
from aegis.http.deps import SessionDep
from aegis.web.cookies import COOKIE_NAME, CookieCodec

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class LoginRequired(Exception):
    """The page needs a signed-in user; the handler redirects to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def codec(request: Request) -> CookieCodec:
    """The cookie codec of the application."""
    value: CookieCodec = request.app.state.cookie_codec
    return value


def login_url(request: Request) -> str:
    """The login page, returning to the current page afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(target, safe='')}"


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token does not match the cookie's."""
    if request.method in SAFE_METHODS:
        return
    web_session = codec(request).decode(request.cookies.get(COOKIE_NAME))
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if web_session is None or not sent or not secrets.compare_digest(sent, web_session.csrf):
        raise PermissionDenied("The form has expired or did not come from Aegis; reload the page")


def web_principal(request: Request, session: SessionDep) -> Principal:
    """The principal of the browser session, or a redirect to the login page."""
    web_session = codec(request).decode(request.cookies.get(COOKIE_NAME))
    if web_session is None:
        raise LoginRequired(login_url(request))
    try:
        principal = auth.principal_for_session(
            session=session, user_id=web_session.user_id, session_id=web_session.session_id
        )
    except AuthenticationFailed as exc:
        raise LoginRequired(login_url(request)) from exc
    request.state.csrf_token = web_session.csrf
    request.state.principal = principal
    names = users.names_by_id(session=session, user_ids={principal.user_id})
    request.state.user_name = names.get(principal.user_id, principal.email)
    return principal


WebPrincipal = Annotated[Principal, Depends(web_principal)]
CsrfChecked = Depends(check_csrf)
