"""My account: setting up, renewing and turning off multi-factor sign-in."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.errors import ValidationFailed
from aegis.domains.auth import mfa
from aegis.domains.auth.mfa_schemas import PasswordRequest, SecurityKeyCreate, SecurityKeyRegistered
from aegis.domains.common.bounds import Id
from aegis.http.deps import SessionDep
from aegis.http.relying_party import RelyingPartyDep
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.saving import Refused, save
from aegis.web.templating import render

TYPE_CODE = "Type the 6-digit code your authenticator app shows now"
KEY_UNREADABLE = "The security key's answer did not arrive: try adding it again"
NEED_PROOF = "Type a code from your authenticator app, or your password"

router = APIRouter(prefix="/account/mfa")


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "mfa/account.html",
        principal,
        status_code=status,
        status=mfa.status(session=session, principal=principal),
        pending=mfa.pending_enrolment(session=session, principal=principal),
        keys=mfa.security_keys(session=session, principal=principal),
        failed=failed,
        errors=errors or {},
    )


def _codes_or_form(
    request: Request,
    session: Session,
    principal: Principal,
    section: str,
    change: Callable[[], list[str]],
    first: bool,
) -> Response:
    """The recovery codes (shown once) after the change, or the page with why it was refused."""
    try:
        codes = save(session, change, unit_field=None)
    except Refused as refused:
        return _page(
            request,
            session,
            principal,
            failed=section,
            errors=refused.errors,
            status=refused.status,
        )
    return render(
        request, "mfa/recovery_codes.html", principal, codes=codes, first=first, continue_to="/"
    )


def _required_code(code: str) -> str:
    if not code.strip():
        raise ValidationFailed(TYPE_CODE, field="code")
    return code


@router.get("")
def mfa_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Whether multi-factor sign-in is on, and the forms that change it."""
    return _page(request, session, principal)


@router.post("/totp", dependencies=[CsrfChecked])
def start(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Start setting up an authenticator app (a new key, replacing one not confirmed)."""
    try:
        save(session, lambda: mfa.start_enrolment(session=session, principal=principal))
    except Refused as refused:
        return _page(request, session, principal, failed="start", errors=refused.errors, status=409)
    return RedirectResponse("/account/mfa", status_code=303)


@router.post("/totp/confirm", dependencies=[CsrfChecked])
def confirm(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Confirm the app with its first code; show the recovery codes once."""
    return _codes_or_form(
        request,
        session,
        principal,
        "confirm",
        lambda: mfa.confirm_enrolment(
            session=session, principal=principal, code=_required_code(code)
        ),
        first=True,
    )


@router.post("/recovery-codes", dependencies=[CsrfChecked])
def regenerate(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Ten new recovery codes after a current code; the old ones stop working."""
    return _codes_or_form(
        request,
        session,
        principal,
        "codes",
        lambda: mfa.regenerate_codes(
            session=session, principal=principal, code=_required_code(code)
        ),
        first=False,
    )


@router.post("/totp/disable", dependencies=[CsrfChecked])
def disable(  # nosec B107 # empty form defaults: a missing field is told on the form
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    code: Annotated[str, Form(max_length=40)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Turn multi-factor sign-in off with a current code or the password."""

    def change() -> None:
        if not code.strip() and not password:
            raise ValidationFailed(NEED_PROOF, field="code")
        mfa.disable(
            session=session,
            principal=principal,
            code=code if code.strip() else None,
            password=None if code.strip() else password,
        )

    try:
        save(session, change, unit_field=None)
    except Refused as refused:
        return _page(
            request,
            session,
            principal,
            failed="disable",
            errors=refused.errors,
            status=refused.status,
        )
    return redirect_with_message(
        request, "/account/mfa", "Multi-factor sign-in is off: your password alone signs you in."
    )


@router.post("/webauthn/options", dependencies=[CsrfChecked])
def key_options(session: SessionDep, principal: WebPrincipal, rp: RelyingPartyDep) -> Response:
    """Options for the browser to create a security key (JSON, for the page's script)."""
    options = mfa.key_registration_options(
        session=session, principal=principal, rp=rp, kind="browser"
    )
    return JSONResponse({"public_key": options})


@router.post("/webauthn", dependencies=[CsrfChecked])
def register_key(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    rp: RelyingPartyDep,
    name: Annotated[str, Form(max_length=1000)] = "",
    webauthn: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Add the security key the browser created; a first factor shows the recovery codes."""

    def change() -> SecurityKeyRegistered:
        try:
            credential = json.loads(webauthn) if webauthn.strip() else None
        except ValueError:
            credential = None
        if not isinstance(credential, dict):
            raise ValidationFailed(KEY_UNREADABLE, field="name")
        data = SecurityKeyCreate(name=name, credential=credential)
        return mfa.register_key(session=session, principal=principal, rp=rp, data=data)

    try:
        added = save(session, change, unit_field=None)
    except Refused as refused:
        errors = {"name": " ".join(dict.fromkeys(refused.errors.values()))}
        return _page(
            request, session, principal, failed="key", errors=errors, status=refused.status
        )
    if added.recovery_codes:
        return render(
            request,
            "mfa/recovery_codes.html",
            principal,
            codes=added.recovery_codes,
            first=True,
            continue_to="/",
        )
    return redirect_with_message(
        request, "/account/mfa", f"The security key '{added.key.name}' was added."
    )


@router.post("/webauthn/{key_id}/remove", dependencies=[CsrfChecked])
def remove_key(  # nosec B107 # empty form defaults: a missing field is told on the form
    key_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Remove one of the user's security keys, after the password."""

    def change() -> None:
        if not password:
            raise ValidationFailed("Type your password to remove the key", field="password")
        mfa.remove_key(
            session=session,
            principal=principal,
            key_id=key_id,
            data=PasswordRequest(password=password),
        )

    try:
        save(session, change, unit_field=None)
    except Refused as refused:
        return _page(
            request,
            session,
            principal,
            failed=f"remove-{key_id}",
            errors=refused.errors,
            status=refused.status,
        )
    return redirect_with_message(request, "/account/mfa", "The security key was removed.")
