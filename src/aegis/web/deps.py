"""Dependencies of the pages: the signed-in principal from the cookie, CSRF checks."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from aegis.core.authz import Principal
from aegis.core.errors import AuthenticationFailed, PermissionDenied
from aegis.domains.auth import service as auth
from aegis.domains.auth.errors import SessionExpired
from aegis.domains.users import service as users
from aegis.http.deps import SessionDep, SettingsDep, record_use, session_policy
from aegis.web.cookies import COOKIE_NAME, LOGIN_COOKIE_NAME, CookieCodec, read_cookie

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class LoginRequired(Exception):
    """The page needs a signed-in user; the handler redirects to the login page."""

    def __init__(self, next_url: str, message: str | None = None) -> None:
        super().__init__(next_url)
        self.next_url = next_url
        self.message = message


class PasswordChangeNeeded(LoginRequired):
    """The user must choose a new password before anything else: on to the page for it."""


CHANGE_PASSWORD_PAGE = "/account/password"  # noqa: S105  # nosec B105 # an address


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
    web_session = codec(request).decode(read_cookie(request, COOKIE_NAME))
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if web_session is None or not sent or not secrets.compare_digest(sent, web_session.csrf):
        raise PermissionDenied("The form has expired or did not come from Aegis; reload the page")


def login_form_token_matches(request: Request, sent: str) -> bool:
    """Whether the sign-in form's CSRF token is the one its pre-session cookie vouches for."""
    expected = codec(request).login_token(read_cookie(request, LOGIN_COOKIE_NAME))
    return bool(expected and sent and secrets.compare_digest(sent, expected))


def web_signed_in(request: Request, session: SessionDep, settings: SettingsDep) -> Principal:
    """The principal of the browser session (even one who must choose a new password first)."""
    web_session = codec(request).decode(read_cookie(request, COOKIE_NAME))
    if web_session is None:
        raise LoginRequired(login_url(request))
    try:
        check = auth.principal_for_session(
            session=session, key=web_session.key, policy=session_policy(settings)
        )
    except SessionExpired as exc:
        raise LoginRequired(login_url(request), exc.message) from exc
    except AuthenticationFailed as exc:
        raise LoginRequired(login_url(request)) from exc
    if check.principal.user_id != web_session.user_id:
        raise LoginRequired(login_url(request))
    principal = record_use(request, session, check)
    request.state.csrf_token = web_session.csrf
    request.state.principal = principal
    names = users.names_by_id(session=session, user_ids={principal.user_id})
    request.state.user_name = names.get(principal.user_id, principal.email)
    return principal


# only for changing one's own password and signing out
WebSignedIn = Annotated[Principal, Depends(web_signed_in)]


def web_principal(session: SessionDep, principal: WebSignedIn) -> Principal:
    """The principal of the browser session, or a redirect to the login page.

    A user who must choose a new password first is sent to the page for it.
    """
    if auth.password_change_explanation(session=session, principal=principal) is not None:
        raise PasswordChangeNeeded(CHANGE_PASSWORD_PAGE)
    return principal


WebPrincipal = Annotated[Principal, Depends(web_principal)]
CsrfChecked = Depends(check_csrf)
