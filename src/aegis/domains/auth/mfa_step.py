"""What a correct password leads to: a session, an MFA challenge, or enrolment first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.events import Action
from aegis.domains.auth import mfa_challenges, mfa_policy, mfa_webauthn
from aegis.domains.auth.errors import MfaEnrolmentRequired
from aegis.domains.auth.mfa_schemas import MfaChallengeRead, MfaMethod
from aegis.domains.common.security_events import home_unit, record_security_event
from aegis.models import TotpCredential, User

ENROL_FIRST = (
    "Your organisation requires multi-factor sign-in for your account: set up an "
    "authenticator app to finish signing in"
)
METHOD = "authenticator app"


def confirmed_totp(session: Session, user_id: int, *, lock: bool = False) -> TotpCredential | None:
    """The user's confirmed authenticator app, if any."""
    stmt = select(TotpCredential).where(
        TotpCredential.user_id == user_id, TotpCredential.confirmed_at.is_not(None)
    )
    return session.scalar(stmt.with_for_update() if lock else stmt)


def methods(session: Session, user_id: int) -> list[MfaMethod]:
    """The second factors a user can answer with (none when MFA is not set up)."""
    found: list[MfaMethod] = []
    if confirmed_totp(session, user_id) is not None:
        found.append("totp")
    if mfa_webauthn.count(session, user_id):
        found.append("webauthn")
    return [*found, "recovery_code"] if found else []


def has_mfa(session: Session, user_id: int) -> bool:
    """Whether the user has a second factor set up."""
    return bool(methods(session, user_id))


def second_step(session: Session, user: User, kind: str, secret: str) -> MfaChallengeRead | None:
    """The challenge a user with MFA answers next; None when the password is enough.

    A user who must use MFA but has none set up gets MfaEnrolmentRequired with a challenge
    that only opens enrolment.
    """
    mfa_challenges.forget_expired(session, user.id)
    answers = methods(session, user.id)
    if answers:
        issued = mfa_challenges.issue(
            session, user_id=user.id, purpose="verify", kind=kind, secret=secret
        )
        return MfaChallengeRead(
            challenge=issued.token, expires_in=issued.expires_in, methods=answers
        )
    if mfa_policy.is_required(session, user.id):
        issued = mfa_challenges.issue(
            session, user_id=user.id, purpose="enrol", kind=kind, secret=secret
        )
        raise MfaEnrolmentRequired(
            ENROL_FIRST,
            details={
                "challenge": issued.token,
                "expires_in": issued.expires_in,
                "enrol_with": "/api/v1/auth/login/mfa/enrol",
            },
        )
    return None


def record_mfa_event(
    session: Session,
    action: Action,
    user: User,
    *,
    actor: tuple[int | None, str | None] | None = None,
    level: str = "info",
    **details: object,
) -> None:
    """Record an MFA event about a user: by the user, unless another `actor` (id, e-mail)."""
    actor_id, actor_email = actor if actor is not None else (user.id, user.email)
    record_security_event(
        session,
        action,
        entity_type="user",
        entity_id=user.id,
        unit_id=home_unit(session, user.id),
        actor_id=actor_id,
        actor_email=actor_email,
        details={"email": user.email, **details},
        level=level,
    )
