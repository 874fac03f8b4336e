"""Sensitive actions need the password typed again recently ("sudo mode").

The rule lives here once: a service about to do something sensitive (create an API token,
set another user's password, change roles, disable a user, reset or require multi-factor
sign-in, end one's other sessions) calls `require_password_confirmation`. A login session
counts as confirmed for a while after its user typed the password, at sign-in or at
POST /api/v1/auth/confirm-password (the page /confirm-password in the browser); how long is
AEGIS_PASSWORD_CONFIRMATION_MINUTES. Users who sign in with a second factor confirm with
the password too. A request made with an API token is never confirmed.
"""

from __future__ import annotations

from aegis.core.authz import Principal
from aegis.core.errors import PermissionDenied

CONFIRM_PATH = "/api/v1/auth/confirm-password"


class PasswordConfirmationRequired(PermissionDenied):
    """The action is sensitive and the session's password was not typed recently."""

    code = "password_confirmation_required"


class PersonRequiredForSensitiveAction(PermissionDenied):
    """An API token asked for a sensitive action, which only a signed-in person may do."""

    code = "sign_in_required"


def require_password_confirmation(principal: Principal, action: str) -> None:
    """Refuse `action` (words such as 'create an API token') unless the password is recent."""
    if principal.api_token_id is not None:
        raise PersonRequiredForSensitiveAction(
            f"An API token may not {action}; sign in as a person and confirm your password"
        )
    if not principal.password_confirmed:
        raise PasswordConfirmationRequired(
            f"Confirm your password to {action}: send it to POST {CONFIRM_PATH}, then try again"
        )
