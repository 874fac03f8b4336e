"""Notices derived from the security events and changes recorded for the audit trail.

The subscriber runs in the transaction of the event: a notice is kept exactly when its
cause is, and none is written for a request that was refused and rolled back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.context import current_client_address
from aegis.core.db import utcnow
from aegis.core.events import EntityChanged
from aegis.domains.auth.service import device_label
from aegis.domains.notifications import wording
from aegis.domains.notifications.context import current
from aegis.models import AuthSession, Notification, User

SECURITY_KEY = "security key"
REUSED_CODE = "code already used"
ACCOUNT_LOCK = "account"
BREACHED = "the password is on the list of common and breached passwords"
# one notice of an administrator's new password, though both the password and the change
# asked of the user are recorded
ONCE_PER_TRANSACTION = frozenset({"password_set_by_admin"})
WRITTEN = "aegis.notices.once"


def _after(event: EntityChanged, name: str) -> Any:
    """The new value of a recorded field (security events record [None, value])."""
    pair = event.changes.get(name)
    return pair[1] if isinstance(pair, list | tuple) and len(pair) == 2 else None


def _moment(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _about_user(event: EntityChanged) -> wording.Wording | None:
    """The notice an event about a user account gives that user, if any."""
    action, actor = event.action, event.actor_email if event.actor_id else None
    own = event.actor_id == event.entity_id
    if action == "update" and "password" in event.changes:
        return wording.password_changed() if own else wording.password_set(actor)
    if action == "password_change_required":
        if _after(event, "reason") == BREACHED:
            return wording.password_found_in_breaches()
        return wording.password_set(actor)
    method, key = _after(event, "method"), _after(event, "key")
    if action == "mfa_enrolled":
        return wording.security_key_added(key) if method == SECURITY_KEY else wording.mfa_enrolled()
    if action == "mfa_disabled":
        if method == SECURITY_KEY:
            return wording.security_key_removed(key)
        return wording.mfa_disabled()
    if action == "mfa_reset":
        return wording.mfa_reset(actor)
    if action == "mfa_codes_regenerated":
        return wording.recovery_codes_renewed()
    if action == "mfa_recovery_code_used":
        return wording.recovery_code_used(_after(event, "left"))
    if action == "mfa_failed" and _after(event, "reason") == REUSED_CODE:
        return wording.code_reused()
    if action == "lock" and _after(event, "locked") == ACCOUNT_LOCK:
        return wording.account_locked(_moment(_after(event, "locked_until")))
    return None


def _new_device(session: Session, user_id: int) -> tuple[str, str | None] | None:
    """(device, address) of the session just opened when no earlier one had both."""
    latest = session.execute(
        select(AuthSession.id, AuthSession.user_agent, AuthSession.client_address)
        .where(AuthSession.user_id == user_id)
        .order_by(AuthSession.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    earlier = session.execute(
        select(AuthSession.user_agent, AuthSession.client_address)
        .where(AuthSession.user_id == user_id, AuthSession.id < latest.id)
        .distinct()
    ).all()
    if not earlier:  # the first sign-in of the account: nothing to compare with
        return None
    device = device_label(latest.user_agent)
    seen = {(device_label(agent), address) for agent, address in earlier}
    if (device, latest.client_address) in seen:
        return None
    return device, latest.client_address


def _write(
    session: Session,
    user_id: int,
    found: wording.Wording,
    address: str | None,
    device: str | None,
) -> None:
    user = session.get(User, user_id)
    if user is None:
        return
    if found.kind in ONCE_PER_TRANSACTION:
        transaction = session.get_transaction()
        kept: tuple[object, set[tuple[int, str]]] | None = session.info.get(WRITTEN)
        if kept is None or kept[0] is not transaction:
            kept = session.info[WRITTEN] = (transaction, set())
        if (user.id, found.kind) in kept[1]:
            return
        kept[1].add((user.id, found.kind))
    now = utcnow()
    notice = Notification(
        user_id=user.id,
        kind=found.kind,
        subject=found.subject,
        body=wording.body(user.name, found, now, address, device),
        created_at=now,
    )
    session.add(notice)
    session.flush()
    current().written.append(notice.id)


def _where(event: EntityChanged) -> tuple[str | None, str | None]:
    """The client address and device of the request that caused an event, when known."""
    agent = current().user_agent
    address = _after(event, "client_address") or current_client_address()
    return address, device_label(agent) if agent else None


def notices_for(session: Session, event: EntityChanged) -> None:
    """Write the notice an event gives its user (subscribed to every published event)."""
    if event.entity_type == "api_token" and event.action == "create":
        owner = _after(event, "owner_id")
        if isinstance(owner, int):
            found = wording.api_token_created(
                _after(event, "name"), _after(event, "access"), _after(event, "expires_at")
            )
            _write(session, owner, found, *_where(event))
        return
    if event.entity_type != "user" or event.entity_id <= 0:
        return
    if event.action == "sign_in":
        new = _new_device(session, event.entity_id) if current().new_device_notices else None
        if new is not None:
            device, address = new
            found = wording.new_device_sign_in()
            _write(session, event.entity_id, found, address or _where(event)[0], device)
        return
    about = _about_user(event)
    if about is not None:
        _write(session, event.entity_id, about, *_where(event))
