"""A message shown once on the next page after a change, carried by a signed cookie."""

from __future__ import annotations

from fastapi import Request
from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.responses import RedirectResponse, Response

COOKIE_NAME = "aegis_flash"
SALT = "aegis.web.flash"
MAX_AGE_SECONDS = 120


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key, salt=SALT)


def with_message(request: Request, response: Response, message: str) -> Response:
    """The response, leaving a message for the next page the browser shows."""
    response.set_cookie(
        COOKIE_NAME,
        str(_serializer(request).dumps(message)),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


def redirect_with_message(request: Request, url: str, message: str) -> Response:
    """Go to a page (after a POST) that shows the message once."""
    return with_message(request, RedirectResponse(url, status_code=303), message)


def pending_message(request: Request) -> str | None:
    """The message left for this page, if any (forged or stale ones are ignored)."""
    value = request.cookies.get(COOKIE_NAME)
    if not value:
        return None
    try:
        message = _serializer(request).loads(value, max_age=MAX_AGE_SECONDS)
    except BadData:
        return None
    return message if isinstance(message, str) else None


def shows_messages(request: Request) -> bool:
    """Whether this response is a whole page (fragments for htmx leave the message waiting)."""
    return request.method == "GET" and request.headers.get("hx-request") != "true"


def consume(request: Request, response: Response) -> None:
    """Forget the message once a page has shown it."""
    if COOKIE_NAME in request.cookies:
        response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
