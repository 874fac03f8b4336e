"""Errors of the API tokens domain."""

from __future__ import annotations

from aegis.core.errors import AuthenticationFailed, NotFound, PermissionDenied


class ApiTokenNotFound(NotFound):
    """The token does not exist, or is neither the caller's nor one they administer."""


class ApiTokenExpired(AuthenticationFailed):
    """The token reached its expiry date: its owner creates a new one."""

    code = "api_token_expired"


class ApiTokenRevoked(AuthenticationFailed):
    """The token was revoked by its owner or an administrator."""

    code = "api_token_revoked"


class SignInRequired(PermissionDenied):
    """The action needs a signed-in person; an API token may not do it."""

    code = "sign_in_required"
