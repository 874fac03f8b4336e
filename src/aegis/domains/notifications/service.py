"""Use cases of security notices: reading one's own, listing and sending the outbox."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aegis.core.authz import Principal
from aegis.core.settings import Settings
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.notifications import delivery
from aegis.domains.notifications.context import NoticeContext, collecting, current
from aegis.domains.notifications.delivery import Delivery, MailServer
from aegis.domains.notifications.outbox import notices_for
from aegis.domains.notifications.schemas import NoticeQuery, NoticeRead, OutboxItem, status_of
from aegis.models import Notification

SORTABLE = {"created_at": Notification.created_at}

__all__ = [
    "Delivery",
    "MailServer",
    "NoticeContext",
    "collecting",
    "current",
    "deliver",
    "list_own_notices",
    "list_unsent",
    "mail_server",
    "notices_for",
]


def mail_server(settings: Settings) -> MailServer:
    """The mail server notices go through, from the SMTP settings."""
    return MailServer(
        host=settings.smtp_server,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        sender=settings.email_from,
        require_starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
    )


def list_own_notices(
    *, session: Session, principal: Principal, query: NoticeQuery
) -> Page[NoticeRead]:
    """The caller's own security notices, newest first (sent or still in the outbox).

    Only the person reads them: an API token is refused.
    """
    api_tokens.require_person(principal)
    stmt = apply_sort(
        select(Notification).where(Notification.user_id == principal.user_id),
        query.sort,
        SORTABLE,
        (Notification.created_at.desc(), Notification.id.desc()),
    )
    rows, total = fetch_page(session, stmt, query)
    return Page.of([NoticeRead.model_validate(row) for row in rows], total, query)


def list_unsent(*, session: Session, limit: int = 200) -> list[OutboxItem]:
    """Notices not sent yet, oldest first, with their attempts and last error (operators)."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.sent_at.is_(None))
        .order_by(Notification.id)
        .limit(limit)
    )
    return [
        OutboxItem(
            id=row.id,
            user_id=row.user_id,
            kind=row.kind,
            subject=row.subject,
            created_at=row.created_at,
            attempts=row.attempts,
            last_error=row.last_error,
            status=status_of(row.sent_at, row.attempts),
        )
        for row in rows
    ]


def deliver(
    *, factory: sessionmaker[Session], server: MailServer, ids: Sequence[int] | None = None
) -> Delivery:
    """Send the notices named (else every pending one) through the mail server."""
    return delivery.deliver(factory, server, ids)
