"""The sign-in's second step: the code form, and enrolment when MFA is required."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, RedirectResponse, Response

from aegis.core.errors import (
    AuthenticationFailed,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)
from aegis.domains.auth import mfa
from aegis.domains.auth.errors import MfaChallengeInvalid
from aegis.domains.auth.mfa_schemas import TotpEnrolment
from aegis.domains.auth.schemas import OpenedSession
from aegis.http.deps import ClientDep, SessionDep, SessionPolicyDep, SettingsDep
from aegis.http.relying_party import RelyingPartyDep
from aegis.web.cookies import (
    LOGIN_COOKIE_NAME,
    LOGIN_MAX_AGE_SECONDS,
    MFA_COOKIE_NAME,
    clear_cookie,
    read_cookie,
)
from aegis.web.cookies import MFA_COOKIE_PATH as MFA_PATH
from aegis.web.deps import codec, login_form_token_matches
from aegis.web.flash import redirect_with_message
from aegis.web.routes.session import FORM_EXPIRED, safe_next, set_cookie
from aegis.web.templating import render

STEP_ENDED = "Your sign-in step expired or was already used: sign in again with your password"
TYPE_A_CODE = "Type the 6-digit code your authenticator app shows, or one of your recovery codes"
TYPE_NEW_CODE = "Type the 6-digit code your authenticator app shows now"
KEY_UNREADABLE = "The security key's answer could not be read: try again"

router = APIRouter()


def _form_token(request: Request) -> str | None:
    """The login form's CSRF token (set on the request), and a new cookie when it had none."""
    token = codec(request).login_token(read_cookie(request, LOGIN_COOKIE_NAME))
    cookie = None
    if token is None:
        token, cookie = codec(request).new_login_token()
    request.state.csrf_token = token
    return cookie


def _page(request: Request, template: str, *, status: int = 200, **context: Any) -> Response:
    cookie = _form_token(request)
    response = render(request, template, status_code=status, **context)
    if cookie is not None:
        set_cookie(request, response, cookie, LOGIN_MAX_AGE_SECONDS, LOGIN_COOKIE_NAME)
    return response


def _restart(request: Request, next: str | None, message: str = STEP_ENDED) -> Response:
    """Back to the password form, forgetting the challenge."""
    url = f"/login?{urlencode({'next': safe_next(next)})}"
    response = redirect_with_message(request, url, message)
    response.delete_cookie(MFA_COOKIE_NAME, path=MFA_PATH)
    return response


def _signed_in(request: Request, opened: OpenedSession, target: str) -> Response:
    """Set the session cookie and forget the sign-in cookies."""
    response = RedirectResponse(safe_next(target), status_code=303)
    _open(request, response, opened)
    return response


def _open(request: Request, response: Response, opened: OpenedSession) -> None:
    cookie = codec(request).encode(opened.key, opened.user_id)
    set_cookie(request, response, cookie, int(opened.lifetime.total_seconds()))
    clear_cookie(request, response, LOGIN_COOKIE_NAME)
    response.delete_cookie(MFA_COOKIE_NAME, path=MFA_PATH)


def _challenge(request: Request) -> str:
    return request.cookies.get(MFA_COOKIE_NAME) or ""


def _credential(text: str) -> dict[str, Any] | None:
    """The security key's answer the page's script put in the form (JSON), if any."""
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@router.get("/login/mfa")
def code_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """The form asking for the authenticator app's code (or a recovery code)."""
    found = mfa.challenged(
        session=session,
        token=_challenge(request),
        kind="browser",
        secret=settings.jwt_secret_key,
        purpose="verify",
    )
    if found is None:
        return _restart(request, next)
    email, methods = found
    return _page(
        request, "mfa/sign_in.html", next=safe_next(next), email=email, methods=methods, error=None
    )


@router.post("/login/mfa/webauthn/options")
def key_options(
    request: Request, session: SessionDep, settings: SettingsDep, rp: RelyingPartyDep
) -> Response:
    """Options for the browser to sign the sign-in step with a security key (JSON)."""
    if not login_form_token_matches(request, request.headers.get("x-csrf-token", "")[:200]):
        raise PermissionDenied(FORM_EXPIRED)
    options = mfa.sign_in_key_options(
        session=session,
        token=_challenge(request),
        kind="browser",
        secret=settings.jwt_secret_key,
        rp=rp,
    )
    return JSONResponse({"public_key": options})


@router.post("/login/mfa")
def answer_code(  # nosec B107 # empty form defaults: a missing field is told on the form
    request: Request,
    session: SessionDep,
    policy: SessionPolicyDep,
    settings: SettingsDep,
    client: ClientDep,
    rp: RelyingPartyDep,
    code: Annotated[str, Form(max_length=40)] = "",
    recovery_code: Annotated[str, Form(max_length=40)] = "",
    webauthn: Annotated[str, Form(max_length=20_000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the code (or key) and open the session, or show the form again with why not."""
    found = mfa.challenged(
        session=session,
        token=_challenge(request),
        kind="browser",
        secret=settings.jwt_secret_key,
        purpose="verify",
    )
    methods = found[1] if found else []

    def again(error: str, status: int) -> Response:
        return _page(
            request,
            "mfa/sign_in.html",
            status=status,
            next=safe_next(next),
            email="",
            methods=methods,
            error=error,
        )

    if not login_form_token_matches(request, csrf_token):
        return again(FORM_EXPIRED, 403)
    signed = _credential(webauthn)
    if not code.strip() and not recovery_code.strip() and signed is None:
        return again(TYPE_A_CODE if not webauthn else KEY_UNREADABLE, 422)
    try:
        opened = mfa.sign_in_browser(
            session=session,
            token=_challenge(request),
            code=code if code.strip() else None,
            recovery_code=recovery_code if recovery_code.strip() and not code.strip() else None,
            webauthn=signed if not code.strip() and not recovery_code.strip() else None,
            rp=rp,
            policy=policy,
            secret=settings.jwt_secret_key,
            client=client,
        )
    except MfaChallengeInvalid:
        return _restart(request, next)
    except AuthenticationFailed as exc:
        return again(exc.message, 401)
    except TooManyAttempts as exc:
        page = again(exc.message, 429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    return _signed_in(request, opened, next)


def _enrolment_page(
    request: Request,
    enrolment: TotpEnrolment,
    next: str | None,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        "mfa/enrol_sign_in.html",
        status=status,
        enrolment=enrolment,
        next=safe_next(next),
        errors={"code": error} if error else {},
    )


def _pending(request: Request, session: Session, secret: str) -> TotpEnrolment | None:
    try:
        return mfa.pending_enrolment_at_sign_in(
            session=session, token=_challenge(request), kind="browser", secret=secret
        )
    except MfaChallengeInvalid:
        return None


@router.get("/login/mfa/enrol")
def enrol_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """Set up the authenticator app that the organisation requires, before the first session."""
    enrolment = _pending(request, session, settings.jwt_secret_key)
    if enrolment is None:
        return _restart(request, next)
    return _enrolment_page(request, enrolment, next)


@router.post("/login/mfa/enrol")
def confirm_enrolment(  # nosec B107 # empty form defaults: a missing field is told on the form
    request: Request,
    session: SessionDep,
    policy: SessionPolicyDep,
    settings: SettingsDep,
    client: ClientDep,
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Confirm the new app with its code: the recovery codes, shown once, and the session."""
    secret = settings.jwt_secret_key
    enrolment = _pending(request, session, secret)
    if enrolment is None:
        return _restart(request, next)
    if not login_form_token_matches(request, csrf_token):
        return _enrolment_page(request, enrolment, next, error=FORM_EXPIRED, status=403)
    if not code.strip():
        return _enrolment_page(request, enrolment, next, error=TYPE_NEW_CODE, status=422)
    try:
        opened, codes = mfa.enrol_browser(
            session=session,
            token=_challenge(request),
            code=code,
            policy=policy,
            secret=secret,
            client=client,
        )
    except ValidationFailed as exc:
        return _enrolment_page(request, enrolment, next, error=exc.message, status=422)
    except MfaChallengeInvalid:
        return _restart(request, next)
    response = render(
        request, "mfa/recovery_codes.html", codes=codes, continue_to=safe_next(next), first=True
    )
    _open(request, response, opened)
    return response
