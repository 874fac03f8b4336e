"""Typing the password again in an open session, before sensitive actions.

The rule itself is `aegis.core.confirmation`; this records the confirmation on the login
session. A wrong password counts as a failed sign-in (it may lock the account) and is
recorded, as is each confirmation.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.confirmation import PersonRequiredForSensitiveAction
from aegis.core.db import utcnow
from aegis.core.errors import AuthenticationFailed, ValidationFailed
from aegis.core.security import verify_password
from aegis.domains.auth import lockout
from aegis.domains.common.security_events import home_unit, record_security_event
from aegis.models import AuthSession, User

NOT_YOURS = "This is not your password"


class PasswordNotConfirmed(ValidationFailed):
    """The password typed to confirm is wrong; the failure counted and recorded is kept."""

    keep_changes = True


def confirm_password(*, session: Session, principal: Principal, password: str) -> None:
    """Mark the caller's login session as having typed the password now, if it is right."""
    if principal.api_token_id is not None or principal.session_id is None:
        raise PersonRequiredForSensitiveAction("Only a signed-in person confirms a password")
    user = session.get(User, principal.user_id)
    auth_session = session.get(AuthSession, principal.session_id)
    if user is None or auth_session is None or auth_session.user_id != user.id:
        raise AuthenticationFailed("Your session has ended; sign in again")
    lockout.refuse_if_locked(session, user.email, user)
    if not verify_password(password, user.password_hash):
        lockout.count_failure(
            session, user.email, user, "wrong password when confirming it", confirmation=True
        )
        raise PasswordNotConfirmed(NOT_YOURS, field="password")
    auth_session.password_confirmed_at = utcnow()
    session.flush()
    record_security_event(
        session,
        "password_confirmed",
        entity_type="user",
        entity_id=user.id,
        unit_id=home_unit(session, user.id),
        actor_id=user.id,
        actor_email=user.email,
        details={"email": user.email},
        level="info",
    )
