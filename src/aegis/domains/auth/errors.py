"""Errors of the auth domain."""

from __future__ import annotations

from aegis.core.errors import AuthenticationFailed


class SessionExpired(AuthenticationFailed):
    """The login session ended by idle timeout or absolute lifetime: sign in again."""

    code = "session_expired"
