"""Throttling of password guessing: failed sign-ins per account and per client address.

After too many failures in a window the account (or the address) is locked for a while,
longer after each lock in a row; while locked, sign-in is refused before the password is
hashed. Every failure, lock and unlock is recorded. The state lives in the database, so
every replica of Aegis and the console see the same locks.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.context import current_client_address
from aegis.core.db import utcnow
from aegis.core.errors import AuthenticationFailed, TooManyAttempts
from aegis.core.events import Action
from aegis.domains.common.security_events import home_unit, record_security_event
from aegis.models import SignInThrottle, User

ACCOUNT = "account"
ADDRESS = "address"
UNKNOWN_USER = 0  # entity id of events about an e-mail address no account has


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures lock an account or an address, and for how long."""

    account_failures: int = 5
    address_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)
    longest_lock: timedelta = timedelta(hours=24)

    def lock_for(self, lockouts: int) -> timedelta:
        """The n-th lock in a row lasts twice the one before, up to the longest lock."""
        return min(self.lock * 2 ** min(max(lockouts - 1, 0), 20), self.longest_lock)

    def threshold(self, kind: str) -> int:
        """Failures in one window that lock an account or an address."""
        return self.account_failures if kind == ACCOUNT else self.address_failures


DEFAULT_POLICY = LockoutPolicy()
policy_var: ContextVar[LockoutPolicy | None] = ContextVar("lockout_policy", default=None)


class SignInFailed(AuthenticationFailed):
    """Wrong credentials; the failure counted and recorded is kept."""

    keep_changes = True


class SignInLocked(TooManyAttempts):
    """Sign-in refused while the account or the client address is locked."""

    code = "sign_in_locked"
    keep_changes = True


def _minutes(span: timedelta) -> str:
    minutes = max(1, ceil(span.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _locked_error(kind: str, until: datetime, now: datetime) -> SignInLocked:
    whom = "this account" if kind == ACCOUNT else "your network address"
    after = _minutes(until - now)
    return SignInLocked(
        f"Too many failed sign-ins: signing in to {whom} is locked for {after} "
        f"(until {until:%H:%M} UTC). Try again then, or ask an administrator to unlock it.",
        retry_after=ceil((until - now).total_seconds()),
    )


def _subjects(email: str) -> list[tuple[str, str]]:
    subjects = [(ACCOUNT, email)]
    address = current_client_address()
    if address:
        subjects.append((ADDRESS, address[:254]))
    return subjects


def _rows(session: Session, subjects: list[tuple[str, str]]) -> list[SignInThrottle]:
    rows = []
    for kind, subject in subjects:
        row = session.scalar(
            select(SignInThrottle)
            .where(SignInThrottle.kind == kind, SignInThrottle.subject == subject)
            .with_for_update()
        )
        if row is not None:
            rows.append(row)
    return rows


def _row(session: Session, kind: str, subject: str, now: datetime) -> SignInThrottle:
    """The throttle row of a subject, created when missing (also by a concurrent request)."""
    found = _rows(session, [(kind, subject)])
    if found:
        return found[0]
    row = SignInThrottle(kind=kind, subject=subject, window_started_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return _rows(session, [(kind, subject)])[0]
    return row


def _event(session: Session, action: Action, email: str, user: User | None, **details: Any) -> None:
    record_security_event(
        session,
        action,
        entity_type="user",
        entity_id=user.id if user else UNKNOWN_USER,
        unit_id=home_unit(session, user.id if user else None),
        actor_id=None,
        actor_email=email,
        details={"email": email, **details},
    )


def refuse_if_locked(session: Session, email: str, user: User | None) -> None:
    """Raise SignInLocked (recording the attempt) while the account or address is locked."""
    now = utcnow()
    for row in _rows(session, _subjects(email)):
        if row.locked_until is not None and row.locked_until > now:
            reason = "account locked" if row.kind == ACCOUNT else "address locked"
            _event(session, "sign_in_failed", email, user, reason=reason)
            raise _locked_error(row.kind, row.locked_until, now)


def count_failure(
    session: Session,
    email: str,
    user: User | None,
    reason: str,
    *,
    action: Action = "sign_in_failed",
    **details: Any,
) -> None:
    """Count and record a failed sign-in (or second-factor code); raise SignInLocked if it locks.

    The caller raises its own refusal when this returns.
    """
    policy, now = policy_var.get() or DEFAULT_POLICY, utcnow()
    _event(session, action, email, user, reason=reason, **details)
    locked: SignInLocked | None = None
    for kind, subject in _subjects(email):
        row = _row(session, kind, subject, now)
        if row.window_started_at + policy.window <= now:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        row.updated_at = now
        if row.failures >= policy.threshold(kind):
            row.lockouts += 1
            row.failures, row.window_started_at = 0, now
            row.locked_until = now + policy.lock_for(row.lockouts)
            _event(
                session,
                "lock",
                email,
                user,
                locked=kind,
                locked_until=row.locked_until.isoformat(),
            )
            locked = locked or _locked_error(kind, row.locked_until, now)
    session.flush()
    if locked is not None:
        raise locked


def clear_account(session: Session, email: str) -> None:
    """Forget the failures of an account after a successful sign-in."""
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.kind == ACCOUNT, SignInThrottle.subject == email
        )
    )


def locked_until(session: Session, email: str) -> datetime | None:
    """Until when sign-in to this account is locked (None when it is not)."""
    until = session.scalar(
        select(SignInThrottle.locked_until).where(
            SignInThrottle.kind == ACCOUNT, SignInThrottle.subject == email
        )
    )
    return until if until is not None and until > utcnow() else None


def unlock(session: Session, principal: Principal | None, user: User) -> bool:
    """Lift the lock and forget the failures of an account; False when it was not locked."""
    was_locked = locked_until(session, user.email) is not None
    clear_account(session, user.email)
    if was_locked:
        record_security_event(
            session,
            "unlock",
            entity_type="user",
            entity_id=user.id,
            unit_id=home_unit(session, user.id),
            actor_id=principal.user_id if principal else None,
            actor_email=principal.email if principal else None,
            details={"email": user.email},
        )
    session.flush()
    return was_locked
