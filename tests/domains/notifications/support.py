"""Reading back the notices a test caused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.models import Notification

CLOSING = "If this was not you, or you did not ask for it, contact your administrator."


def notices_of(db: Session, user_id: int) -> list[Notification]:
    """The user's notices, oldest first, as committed (read afresh)."""
    db.expire_all()
    stmt = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    return list(db.scalars(stmt))


def kinds_of(db: Session, user_id: int) -> list[str]:
    return [notice.kind for notice in notices_of(db, user_id)]


def holds_none_of(notices: list[Notification], secrets: list[str]) -> bool:
    """No secret appears in any subject or body."""
    text = "\n".join(f"{notice.subject}\n{notice.body}" for notice in notices)
    return not [secret for secret in secrets if secret and secret in text]
