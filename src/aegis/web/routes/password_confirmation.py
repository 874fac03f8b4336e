"""The "Confirm your password" page, shown before a sensitive action (aegis.core.confirmation)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from aegis.core.confirmation import PasswordConfirmationRequired
from aegis.core.errors import AegisError, TooManyAttempts, ValidationFailed
from aegis.domains.auth.password_confirmation import confirm_password
from aegis.http.deps import SessionDep
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.routes.session import safe_next
from aegis.web.templating import render

PAGE = "/confirm-password"
ASKED = "Confirm your password to continue: this action changes who can do what in Aegis."

router = APIRouter()


def return_to(request: Request) -> str:
    """The page to come back to: this one for a page, the form's page for a form sent."""
    if request.method == "GET":
        query = f"?{request.url.query}" if request.url.query else ""
        return safe_next(request.url.path + query)
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path:
        return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))
    return "/account"


async def confirmation_required(request: Request, exc: PasswordConfirmationRequired) -> Response:
    """A sensitive action asked without a recent password: on to the confirmation page.

    The JSON API answers its usual 403 `password_confirmation_required`.
    """
    if request.url.path.startswith("/api/"):
        handler = request.app.exception_handlers[AegisError]
        response: Response = await handler(request, exc)
        return response
    url = f"{PAGE}?next={quote(return_to(request), safe='')}"
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _page(
    request: Request, next: str | None, *, error: str | None = None, status: int = 200
) -> Response:
    return render(
        request,
        "session/confirm_password.html",
        status_code=status,
        next=safe_next(next),
        asked=ASKED,
        errors={"password": error} if error else {},
    )


@router.get(PAGE)
def confirm_page(
    request: Request,
    principal: WebPrincipal,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """The form asking for the password again."""
    return _page(request, next)


@router.post(PAGE, dependencies=[CsrfChecked])
def confirm(  # nosec B107 # an empty form default: refused as not the password
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password; for the next minutes sensitive actions need no other, then back."""
    if not password:
        return _page(request, next, error="Type your password", status=422)
    try:
        confirm_password(session=session, principal=principal, password=password)
    except ValidationFailed as exc:  # the failure counted towards the lock is kept
        return _page(request, next, error=exc.message, status=422)
    except TooManyAttempts as exc:
        page = _page(request, next, error=exc.message, status=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    return redirect_with_message(
        request, safe_next(next), "Password confirmed. You can go on with what you were doing."
    )
