"""The signed browser-session cookie: login session id, user id and CSRF token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "aegis_session"
SALT = "aegis.web.session"


@dataclass(frozen=True)
class WebSession:
    """What the cookie carries."""

    user_id: int
    session_id: int
    csrf: str


class CookieCodec:
    """Signs and verifies the session cookie with the application's secret key."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self.max_age = max_age_seconds

    def encode(self, user_id: int, session_id: int) -> str:
        """A new cookie value with a fresh CSRF token."""
        return str(
            self._serializer.dumps({"u": user_id, "s": session_id, "c": secrets.token_urlsafe(32)})
        )

    def decode(self, value: str | None) -> WebSession | None:
        """The session in a cookie value, or None when missing, forged or too old."""
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
            return WebSession(int(data["u"]), int(data["s"]), str(data["c"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
