"""Sign-in, sign-out and the user's own account with their sessions."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.errors import AuthenticationFailed, TooManyAttempts, ValidationFailed
from aegis.domains.auth import mfa
from aegis.domains.auth import service as auth
from aegis.domains.auth.errors import MfaEnrolmentRequired
from aegis.domains.auth.mfa_schemas import MfaChallengeRead
from aegis.domains.auth.schemas import SessionPolicy
from aegis.domains.common.bounds import Id
from aegis.domains.notifications import service as notifications
from aegis.domains.notifications.schemas import NoticeQuery
from aegis.domains.users import service as users
from aegis.http.deps import ClientDep, SessionDep, SessionPolicyDep, SettingsDep
from aegis.web import lookups
from aegis.web.cookies import (
    COOKIE_NAME,
    LOGIN_COOKIE_NAME,
    LOGIN_MAX_AGE_SECONDS,
    MFA_COOKIE_NAME,
    MFA_COOKIE_PATH,
    clear_cookie,
    cookie_name,
    read_cookie,
)
from aegis.web.deps import (
    CsrfChecked,
    WebPrincipal,
    WebSignedIn,
    codec,
    login_form_token_matches,
)
from aegis.web.flash import redirect_with_message
from aegis.web.forms import field_errors
from aegis.web.password_forms import PASSWORD_PAGE, password_page
from aegis.web.templating import render

FORM_EXPIRED = "This sign-in form had expired or did not come from Aegis; sign in again"
# what signing out asks the browser to forget: pages it kept and anything stored for the site
CLEAR_SITE_DATA = '"cache", "storage"'

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only local paths are followed after sign-in (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def set_cookie(
    request: Request,
    response: Response,
    value: str,
    max_age: int,
    name: str = COOKIE_NAME,
    path: str = "/",
) -> None:
    """Set one of the sign-in cookies: only for the server, never sent by other sites' forms.

    Over https it is `Secure` and, for the whole site, named with the `__Host-` prefix.
    """
    response.set_cookie(
        cookie_name(request, name, path),
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=path,
    )


def _second_step(request: Request, page: str, token: str, expires_in: int, next: str) -> Response:
    """On to the MFA step (or enrolment), the challenge kept in a cookie for the login pages."""
    response = RedirectResponse(f"{page}?{urlencode({'next': safe_next(next)})}", status_code=303)
    set_cookie(request, response, token, expires_in, MFA_COOKIE_NAME, MFA_COOKIE_PATH)
    return response


def _login_form(
    request: Request, *, next: str | None, email: str = "", error: str | None = None, status: int
) -> Response:
    """The sign-in form with its CSRF token, vouched for by a pre-session cookie."""
    token = codec(request).login_token(read_cookie(request, LOGIN_COOKIE_NAME))
    cookie = None
    if token is None:
        token, cookie = codec(request).new_login_token()
    request.state.csrf_token = token
    response = render(
        request,
        "session/login.html",
        status_code=status,
        next=safe_next(next),
        email=email,
        error=error,
    )
    if cookie is not None:
        set_cookie(request, response, cookie, LOGIN_MAX_AGE_SECONDS, LOGIN_COOKIE_NAME)
    return response


@router.get("/login")
def login_page(
    request: Request, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    """The sign-in form."""
    return _login_form(request, next=next, status=200)


@router.post("/login")
def login(  # nosec B107 # empty form defaults: a missing field is told on the form
    request: Request,
    session: SessionDep,
    policy: SessionPolicyDep,
    settings: SettingsDep,
    client: ClientDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the form's origin and the credentials, open a session and go where the user was.

    A user with MFA goes on to the code form; one who must set it up, to enrolment.
    """
    if not login_form_token_matches(request, csrf_token):
        return _login_form(request, next=next, email=email, error=FORM_EXPIRED, status=403)
    secret = settings.jwt_secret_key
    try:
        opened = auth.open_session(
            session=session,
            email=email,
            password=password,
            policy=policy,
            challenge_secret=secret,
            client=client,
        )
    except MfaEnrolmentRequired as exc:
        token, expires_in = exc.details["challenge"], exc.details["expires_in"]
        mfa.start_enrolment_at_sign_in(session=session, token=token, kind="browser", secret=secret)
        return _second_step(request, "/login/mfa/enrol", token, expires_in, next)
    except AuthenticationFailed as exc:
        return _login_form(request, next=next, email=email, error=exc.message, status=401)
    except TooManyAttempts as exc:  # locked after failed sign-ins: said on the form
        page = _login_form(request, next=next, email=email, error=exc.message, status=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if isinstance(opened, MfaChallengeRead):
        return _second_step(request, "/login/mfa", opened.challenge, opened.expires_in, next)
    response = RedirectResponse(safe_next(next), status_code=303)
    cookie = codec(request).encode(opened.key, opened.user_id)
    set_cookie(request, response, cookie, int(opened.lifetime.total_seconds()))
    clear_cookie(request, response, LOGIN_COOKIE_NAME)
    return response


def _signed_out(request: Request, message: str | None = None) -> Response:
    """Back to the sign-in page without the session cookie, the browser told to forget
    the pages it kept and what the site stored."""
    response = (
        redirect_with_message(request, "/login", message)
        if message
        else RedirectResponse("/login", status_code=303)
    )
    clear_cookie(request, response, COOKIE_NAME)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: SessionDep, principal: WebSignedIn) -> Response:
    """End the browser session."""
    if principal.session_id is not None:
        auth.close_session(
            session=session, user_id=principal.user_id, session_id=principal.session_id
        )
    return _signed_out(request)


def _account(
    request: Request,
    session: Session,
    principal: Principal,
    policy: SessionPolicy,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Response:
    """The account page: profile, sessions, display name and password forms."""
    return render(
        request,
        "session/account.html",
        principal,
        status_code=status,
        me=users.me(session=session, principal=principal),
        units=lookups.unit_names(session, principal),
        sessions=auth.list_sessions(session=session, principal=principal, policy=policy),
        mfa=mfa.status(session=session, principal=principal),
        notices=notifications.list_own_notices(
            session=session, principal=principal, query=NoticeQuery(limit=3)
        ),
        idle_limit=auth.duration_text(policy.idle),
        absolute_limit=auth.duration_text(policy.absolute),
        errors=errors or {},
    )


@router.get("/account")
def account(
    request: Request, session: SessionDep, principal: WebPrincipal, policy: SessionPolicyDep
) -> Response:
    """The signed-in user's profile, active sessions and password form."""
    return _account(request, session, principal, policy)


@router.post("/account/sessions/{session_id}/revoke", dependencies=[CsrfChecked])
def revoke_session(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    session_id: Id,
) -> Response:
    """Sign one of the user's sessions out (this one: back to the sign-in page)."""
    ended = auth.revoke_session(session=session, principal=principal, session_id=session_id)
    if ended.current:
        return _signed_out(request, "You are signed out.")
    where = f" from {ended.client_address}" if ended.client_address else ""
    return redirect_with_message(
        request, "/account", f"Signed out the session of {ended.device}{where}."
    )


@router.post("/account/sessions/revoke-all", dependencies=[CsrfChecked])
def sign_out_everywhere(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """End every session of the user, on every device, this one included."""
    auth.sign_out_everywhere(session=session, principal=principal)
    return _signed_out(request, "You are signed out everywhere, on every device.")


@router.post("/account/name", dependencies=[CsrfChecked])
def rename(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    policy: SessionPolicyDep,
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Change the signed-in user's display name."""
    try:
        users.rename_self(session=session, principal=principal, name=name)
    except ValidationFailed as exc:
        return _account(request, session, principal, policy, status=422, errors=field_errors(exc))
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password", dependencies=[CsrfChecked])
def change_password(  # nosec B107 # empty form defaults, refused as too short
    request: Request,
    session: SessionDep,
    principal: WebSignedIn,
    policy: SessionPolicyDep,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
    confirm_password: Annotated[str, Form(max_length=1024)] = "",
    page: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Change the password; every session ends and the user signs in again.

    Open to a user who must choose a new password first; they see their errors on the page
    for it (/account/password), as does anyone who sent the form from there.
    """
    try:
        if new_password != confirm_password:
            raise ValidationFailed("The two new passwords differ", field="confirm_password")
        users.change_own_password(
            session=session, principal=principal, current=current_password, new=new_password
        )
    except ValidationFailed as exc:
        if page == PASSWORD_PAGE or auth.password_change_explanation(
            session=session, principal=principal
        ):
            return password_page(request, session, principal, status=422, errors=field_errors(exc))
        return _account(request, session, principal, policy, status=422, errors=field_errors(exc))
    response = RedirectResponse("/login?changed=1", status_code=303)
    clear_cookie(request, response, COOKIE_NAME)
    return response
