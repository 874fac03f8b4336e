"""Erasing a former user's personal data on their request, keeping the records they made.

The account stays, under a pseudonym ("Former user #12") and an address that cannot receive
mail, so that the risks, comments and files it owns or wrote keep their owner and author;
what identifies or authenticates the person goes: name, e-mail address, password, sessions
with their refresh tokens, API tokens, second factors, the sign-in failures counted against
the address and the security notices written to them. The audit trail is not changed: its
events are sealed in a chain and stay as recorded, the legal record of who did what (see
docs/personal-data.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.confirmation import require_password_confirmation
from aegis.core.errors import Conflict, ValidationFailed
from aegis.domains.common.security_events import home_unit, record_security_event
from aegis.domains.users.errors import UserNotFound
from aegis.domains.users.schemas import UserRead
from aegis.domains.users.service import administered_user
from aegis.models import (
    ApiToken,
    AuthSession,
    MfaChallenge,
    Notification,
    RecoveryCode,
    RefreshToken,
    SecurityKey,
    SignInThrottle,
    TotpCredential,
    User,
    api_token_units,
)

ERASED_DOMAIN = "erased.invalid"  # reserved (RFC 2606): no mail can ever be delivered there
STILL_ACTIVE = "Disable the user first: the personal data of an active user cannot be erased"
ONESELF = (
    "You cannot erase your own personal data; another administrator can, once your account "
    "is disabled"
)
ALREADY = "The personal data of this user was already erased"


def pseudonym(user_id: int) -> str:
    """The name an erased user is shown under."""
    return f"Former user #{user_id}"


def placeholder_email(user_id: int) -> str:
    """A unique address that cannot receive mail, for an erased user."""
    return f"former-user-{user_id}@{ERASED_DOMAIN}"


def is_erased(email: str) -> bool:
    """Whether an account's address is the placeholder of an erased user."""
    return email.endswith("@" + ERASED_DOMAIN)


@dataclass(frozen=True)
class Erased:
    """What an erasure removed, by kind."""

    user: UserRead
    sessions: int
    api_tokens: int
    second_factors: int


def _target(session: Session, principal: Principal | None, user_id: int) -> User:
    """The user to erase: every role of whom lies in units the caller administers."""
    if principal is None:
        user = session.get(User, user_id)
        if user is None:
            raise UserNotFound("User not found")
        return user
    return administered_user(session, principal, user_id)


def _count(session: Session, column: Any, user_id: int) -> int:
    return int(session.scalar(select(func.count()).where(column == user_id)) or 0)


def _remove_credentials(session: Session, user: User) -> tuple[int, int, int]:
    """Delete sessions, refresh tokens, API tokens, second factors and security notices (which
    name devices and addresses); the counts of the first three."""
    sessions = _count(session, AuthSession.user_id, user.id)
    tokens = _count(session, ApiToken.user_id, user.id)
    factors = _count(session, SecurityKey.user_id, user.id)
    factors += _count(session, TotpCredential.user_id, user.id)
    own_sessions = select(AuthSession.id).where(AuthSession.user_id == user.id)
    session.execute(delete(RefreshToken).where(RefreshToken.session_id.in_(own_sessions)))
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    own_tokens = select(ApiToken.id).where(ApiToken.user_id == user.id)
    session.execute(delete(api_token_units).where(api_token_units.c.token_id.in_(own_tokens)))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    for model in (TotpCredential, RecoveryCode, SecurityKey, MfaChallenge, Notification):
        session.execute(delete(model).where(model.user_id == user.id))
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.kind == "account", SignInThrottle.subject == user.email
        )
    )
    return sessions, tokens, factors


def erase_personal_data(*, session: Session, principal: Principal | None, user_id: int) -> Erased:
    """Erase a disabled user's personal data; `principal` None means an operator at the console.

    Refused for an active user, for oneself and for a user erased already; an administrator
    must have typed their password recently (sensitive action), the console need not.
    """
    user = _target(session, principal, user_id)
    if principal is not None and user.id == principal.user_id:
        raise ValidationFailed(ONESELF, field="user_id")
    if user.is_active:
        raise Conflict(STILL_ACTIVE)
    if is_erased(user.email):
        raise Conflict(ALREADY)
    if principal is not None:
        require_password_confirmation(principal, "erase a user's personal data")
    sessions, tokens, factors = _remove_credentials(session, user)
    user.name = pseudonym(user.id)
    user.email = placeholder_email(user.id)
    user.password_hash = None
    user.password_change_reason = None
    user.last_login_at = None
    session.flush()
    record_security_event(
        session,
        "erase",
        entity_type="user",
        entity_id=user.id,
        unit_id=home_unit(session, user.id),
        actor_id=principal.user_id if principal else None,
        actor_email=principal.email if principal else None,
        details={"sessions_removed": sessions, "api_tokens_removed": tokens},
        level="warning",
    )
    return Erased(
        user=UserRead.model_validate(user),
        sessions=sessions,
        api_tokens=tokens,
        second_factors=factors,
    )
