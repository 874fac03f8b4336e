"""Sending the outbox through the configured mail server (SMTP), one claim per message."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from aegis.core.db import transaction, utcnow
from aegis.models import Notification, User

log = structlog.get_logger("aegis.notifications")

BATCH = 200
ERROR_LENGTH = 500
NO_STARTTLS = "the mail server does not offer STARTTLS, which SMTP_STARTTLS requires"
NO_SENDER = "EMAIL_FROM is not set: no sender address for notices"


@dataclass(frozen=True)
class MailServer:
    """Where and how notices are sent (from the SMTP settings)."""

    host: str
    port: int = 587
    username: str = ""
    password: str = ""
    sender: str = ""
    require_starttls: bool = False
    timeout: float = 10.0

    @property
    def configured(self) -> bool:
        """Whether a mail server is set at all (without one, notices wait in the outbox)."""
        return bool(self.host)


@dataclass
class Delivery:
    """What one run of delivery did."""

    sent: int = 0
    failed: int = 0


def _error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:ERROR_LENGTH]


def _claim(factory: sessionmaker[Session], ids: Sequence[int] | None) -> list[int]:
    """Count an attempt on each pending message; only the process whose count lands sends it."""
    claimed: list[int] = []
    with transaction(factory) as session:
        stmt = select(Notification.id, Notification.attempts).where(Notification.sent_at.is_(None))
        if ids is not None:
            stmt = stmt.where(Notification.id.in_(list(ids)))
        rows = session.execute(stmt.order_by(Notification.id).limit(BATCH)).all()
        for notice_id, attempts in rows:
            result = session.execute(
                update(Notification)
                .where(
                    Notification.id == notice_id,
                    Notification.sent_at.is_(None),
                    Notification.attempts == attempts,
                )
                .values(attempts=attempts + 1)
            )
            if getattr(result, "rowcount", 0) == 1:
                claimed.append(notice_id)
    return claimed


def _connect(server: MailServer) -> smtplib.SMTP:
    """An SMTP connection, encrypted with STARTTLS when offered (or required), logged in."""
    if not server.sender:
        raise smtplib.SMTPException(NO_SENDER)
    smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        elif server.require_starttls:
            raise smtplib.SMTPNotSupportedError(NO_STARTTLS)
        if server.username:
            smtp.login(server.username, server.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _message(server: MailServer, notice: Notification, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = server.sender
    message["To"] = recipient
    message["Subject"] = notice.subject
    message["Date"] = format_datetime(notice.created_at)
    message["Message-ID"] = make_msgid("notice", domain=server.sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(notice.body)
    return message


def _failed(factory: sessionmaker[Session], notice_ids: Sequence[int], error: str) -> None:
    with transaction(factory) as session:
        for notice in session.scalars(select(Notification).where(Notification.id.in_(notice_ids))):
            notice.last_error = error
            log.warning(
                "notice_not_sent",
                notice_id=notice.id,
                recipient_id=notice.user_id,
                subject=notice.subject,
                attempts=notice.attempts,
                error=error,
            )


def _send_one(
    factory: sessionmaker[Session], smtp: smtplib.SMTP, server: MailServer, notice_id: int
) -> None:
    with transaction(factory) as session:
        found = session.execute(
            select(Notification, User.email)
            .join(User, User.id == Notification.user_id)
            .where(Notification.id == notice_id)
        ).first()
        if found is None:
            return
        notice, recipient = found
        smtp.send_message(_message(server, notice, recipient))
        notice.sent_at, notice.last_error = utcnow(), None
        log.info(
            "notice_sent", notice_id=notice.id, recipient_id=notice.user_id, subject=notice.subject
        )


def deliver(
    factory: sessionmaker[Session], server: MailServer, ids: Sequence[int] | None = None
) -> Delivery:
    """Send pending notices (those named, else every pending one, a batch at a time).

    Each message is claimed by counting the attempt before it is sent, marked sent once
    the server accepted it, or left pending with the error. Nothing happens without a
    mail server: the notices wait in the outbox.
    """
    done = Delivery()
    if not server.configured or (ids is not None and not ids):
        return done
    claimed = _claim(factory, ids)
    if not claimed:
        return done
    try:
        smtp = _connect(server)
    except (OSError, smtplib.SMTPException) as exc:
        _failed(factory, claimed, _error(exc))
        done.failed = len(claimed)
        return done
    try:
        for position, notice_id in enumerate(claimed):
            try:
                _send_one(factory, smtp, server, notice_id)
                done.sent += 1
            except smtplib.SMTPServerDisconnected as exc:
                _failed(factory, claimed[position:], _error(exc))
                done.failed += len(claimed) - position
                break
            except (OSError, smtplib.SMTPException) as exc:
                _failed(factory, [notice_id], _error(exc))
                done.failed += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return done
