"""A new password asked of a user before anything else.

An administrator (page, API or console) who sets someone else's password, or creates an
account with a first password, knows that password: its owner must replace it at their next
sign-in. A password signed in with that is on the shipped list of common and breached
passwords must be replaced too. Until then the user may only change their password, read
their own profile and sign out; both moments are recorded in the audit trail.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.auth.errors import PasswordChangeRequired
from aegis.domains.common.passwords import is_common
from aegis.domains.common.security_events import home_unit, record_security_event
from aegis.models import User

Reason = Literal["set_by_admin", "breached"]
SET_BY_ADMIN: Reason = "set_by_admin"
BREACHED: Reason = "breached"
# why, in the audit trail
RECORDED: dict[str, str] = {
    SET_BY_ADMIN: "the password was set by an administrator",
    BREACHED: "the password is on the list of common and breached passwords",
}
# why, to the user
EXPLAINED: dict[str, str] = {
    SET_BY_ADMIN: (
        "An administrator set your password, so someone else knows it. "
        "Choose a new password that only you know before you go on."
    ),
    BREACHED: (
        "The password you signed in with is on a list of common and leaked passwords that "
        "attackers try first. Choose a new password before you go on."
    ),
}
REQUIRED = "Choose a new password first: {why}"


def explanation(reason: str | None) -> str | None:
    """Why the user must change their password, in plain words (None when they need not)."""
    if reason is None:
        return None
    return EXPLAINED.get(reason, EXPLAINED[SET_BY_ADMIN])


def require(session: Session, user: User, reason: Reason, actor: Principal | None) -> None:
    """Ask the user for a new password at their next sign-in, and record why and by whom."""
    if user.password_change_reason == reason:
        return
    user.password_change_reason = reason
    record_security_event(
        session,
        "password_change_required",
        entity_type="user",
        entity_id=user.id,
        unit_id=home_unit(session, user.id),
        actor_id=actor.user_id if actor else (user.id if reason == BREACHED else None),
        actor_email=actor.email if actor else (user.email if reason == BREACHED else None),
        details={"email": user.email, "reason": RECORDED[reason]},
        level="info",
    )


def require_if_common(session: Session, user: User, password: str) -> None:
    """At sign-in: a password on the common and breached list must be replaced."""
    if user.password_change_reason is None and is_common(password):
        require(session, user, BREACHED, None)


def done(session: Session, user: User) -> None:
    """The user chose a new password themselves: nothing more is asked of them (recorded)."""
    reason = user.password_change_reason
    if reason is None:
        return
    user.password_change_reason = None
    record_security_event(
        session,
        "password_change_done",
        entity_type="user",
        entity_id=user.id,
        unit_id=home_unit(session, user.id),
        actor_id=user.id,
        actor_email=user.email,
        details={"email": user.email, "reason": RECORDED.get(reason, reason)},
        level="info",
    )


def refuse_until_changed(reason: str | None) -> None:
    """Raise PasswordChangeRequired while the user has to choose a new password (`reason`)."""
    if reason is not None:
        why = explanation(reason) or ""
        raise PasswordChangeRequired(
            REQUIRED.format(why=why[:1].lower() + why[1:]),
            details={"reason": reason, "change_at": "/api/v1/auth/password"},
        )
