"""Who a browser request comes from, for the per-user rate limits: its signed session cookie."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import Scope

from aegis.web.cookies import COOKIE_NAME, CookieCodec, named_cookie


def cookie_identity(scope: Scope, headers: Headers) -> str | None:
    """The user of a valid session cookie (forged or expired cookies name nobody)."""
    cookies = cookie_parser(headers.get("cookie", ""))
    value = named_cookie(cookies, COOKIE_NAME, secure=scope.get("scheme") == "https")
    if not value:
        return None
    codec: CookieCodec = scope["app"].state.cookie_codec
    web_session = codec.decode(value)
    return f"user:{web_session.user_id}" if web_session is not None else None
