"""Signed browser cookies: the session (its key and CSRF token) and the sign-in form's token.

Over https (directly or through a trusted proxy) the session and sign-in form cookies are
`Secure` and named with the `__Host-` prefix, which browsers accept only from a secure
page, for the whole site (`Path=/`) and without a `Domain`: no other host of the domain can
set or overwrite them. Over plain http (development) browsers refuse that prefix, so they
keep their plain names; a request over https believes only the prefixed ones.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection
from starlette.responses import Response

COOKIE_NAME = "aegis_session"
LOGIN_COOKIE_NAME = "aegis_login"
SALT = "aegis.web.session.v2"
LOGIN_SALT = "aegis.web.login-form"
LOGIN_MAX_AGE_SECONDS = 2 * 3600
MFA_COOKIE_NAME = "aegis_mfa"  # the sign-in challenge between the password and the code
MFA_COOKIE_PATH = "/login"
HOST_PREFIX = "__Host-"


def is_secure(request: HTTPConnection) -> bool:
    """Whether the request came over https (directly or through a trusted proxy)."""
    return request.url.scheme == "https"


def cookie_name(request: HTTPConnection, name: str, path: str = "/") -> str:
    """The name a cookie is set under: `__Host-` prefixed when secure and for the whole site."""
    return HOST_PREFIX + name if is_secure(request) and path == "/" else name


def read_cookie(request: HTTPConnection, name: str) -> str | None:
    """A cookie's value, by its plain name: only the prefixed one over https."""
    return named_cookie(request.cookies, name, secure=is_secure(request))


def named_cookie(cookies: Mapping[str, str], name: str, *, secure: bool) -> str | None:
    """The value of `name` among parsed cookies (see `read_cookie`)."""
    if secure:
        return cookies.get(HOST_PREFIX + name)
    return cookies.get(name) or cookies.get(HOST_PREFIX + name)


def clear_cookie(request: HTTPConnection, response: Response, name: str) -> None:
    """Delete a whole-site cookie under the name it was set with (and its plain name)."""
    response.delete_cookie(name, path="/")
    if is_secure(request):
        response.delete_cookie(HOST_PREFIX + name, path="/", secure=True, httponly=True)


@dataclass(frozen=True)
class WebSession:
    """What the session cookie carries: the login session's key, its user and the CSRF token."""

    key: str
    user_id: int
    csrf: str


class CookieCodec:
    """Signs and verifies the cookies with the application's secret key."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self._login = URLSafeTimedSerializer(secret, salt=LOGIN_SALT)
        self.max_age = max_age_seconds

    def encode(self, key: str, user_id: int) -> str:
        """A new session cookie value with a fresh CSRF token."""
        payload = {"k": key, "u": user_id, "c": secrets.token_urlsafe(32)}
        return str(self._serializer.dumps(payload))

    def decode(self, value: str | None) -> WebSession | None:
        """The session in a cookie value, or None when missing, forged or too old."""
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
            key, user_id, csrf = data["k"], data["u"], data["c"]
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        if not isinstance(key, str) or not isinstance(csrf, str) or not key or not csrf:
            return None
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            return None
        return WebSession(key, user_id, csrf)

    def new_login_token(self) -> tuple[str, str]:
        """A CSRF token for the sign-in form and the cookie value that vouches for it."""
        token = secrets.token_urlsafe(32)
        return token, str(self._login.dumps(token))

    def login_token(self, value: str | None) -> str | None:
        """The sign-in form token a cookie vouches for, or None when missing, forged or old."""
        if not value:
            return None
        try:
            token = self._login.loads(value, max_age=LOGIN_MAX_AGE_SECONDS)
        except (BadSignature, TypeError, ValueError):
            return None
        return token if isinstance(token, str) and token else None
