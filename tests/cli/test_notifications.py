"""`aegis notifications list|send`: the outbox seen and retried from the console (cron)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aegis.core.settings import get_settings
from aegis.models import Notification
from tests.cli.console import PASSWORD, Aegis, said
from tests.mail_support import SENDER, MailBox, free_port, run_server

EMAIL = "ada.lovelace@example.com"
FIRST_PASSWORD = "An administrator set a new password for your Aegis account"
RESET = "An administrator reset multi-factor sign-in on your Aegis account"


def _mail_to(monkeypatch: pytest.MonkeyPatch, box: MailBox) -> None:
    """Point the commands at this mail server (the settings are read afresh)."""
    monkeypatch.setenv("SMTP_SERVER", box.host)
    monkeypatch.setenv("SMTP_PORT", str(box.port))
    monkeypatch.setenv("EMAIL_FROM", SENDER)
    monkeypatch.setenv("SMTP_TIMEOUT_SECONDS", "5")
    get_settings.cache_clear()


def _user(organisation: Aegis) -> None:
    organisation.ok(
        "users", "create", "--email", EMAIL, "--name", "Ada Lovelace", "--role", "analyst",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip


def test_a_notice_the_server_did_not_take_is_listed_and_sent_later(
    organisation: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    _user(organisation)  # no mail server yet: its first-password notice waits, untried
    box = MailBox("127.0.0.1", free_port())  # nothing listens there yet
    _mail_to(monkeypatch, box)
    organisation.ok("users", "reset-mfa", EMAIL)
    assert organisation.count(Notification, Notification.sent_at.is_(None)) == 2
    listed = said(organisation.ok("notifications", "list"))
    assert f"pending (0 attempts) {FIRST_PASSWORD}" in listed
    assert f"failed (1 attempts) {RESET} | ConnectionRefusedError" in listed
    still_down = organisation("notifications", "send")
    assert still_down.exit_code == 1 and "0 sent, 2 not sent." in said(still_down)

    controller = run_server(box)
    try:
        sent = organisation.ok("notifications", "send")
    finally:
        controller.stop()
    assert "2 sent, 0 not sent." in sent.output
    first, reset = box.to(EMAIL)
    assert (first.subject, reset.subject) == (FIRST_PASSWORD, RESET)
    assert "An administrator at the server console removed" in reset.text
    assert organisation.count(Notification, Notification.sent_at.is_(None)) == 0
    assert "No notice is waiting." in organisation.ok("notifications", "list").output
    assert "No notice is waiting." in organisation.ok("notifications", "send").output


def test_console_commands_email_their_notices_once_committed(
    organisation: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = MailBox("127.0.0.1", free_port())
    controller = run_server(box)
    _mail_to(monkeypatch, box)
    try:
        _user(organisation)
        organisation.ok("users", "reset-mfa", EMAIL)
    finally:
        controller.stop()
    assert [(mail.rcpt_tos, mail.subject) for mail in box.received] == [
        ([EMAIL], FIRST_PASSWORD),
        ([EMAIL], RESET),
    ]
    assert organisation.count(Notification, Notification.sent_at.is_(None)) == 0


def test_send_without_a_mail_server_says_what_to_set(organisation: Aegis) -> None:
    _user(organisation)
    organisation.ok("users", "reset-mfa", EMAIL)
    refused = organisation("notifications", "send")
    assert refused.exit_code == 2
    assert "No mail server: set SMTP_SERVER" in said(refused)
    assert organisation.count(Notification, Notification.kind == "mfa_reset") == 1  # kept


def test_a_password_set_at_the_console_tells_its_user(organisation: Aegis) -> None:
    _user(organisation)
    organisation.ok(
        "users", "set-password", "--email", EMAIL, "--password-stdin",
        input="another long passphrase for ada\n",
    )  # fmt: skip
    bodies = organisation.scalar(
        select(Notification.body)
        .where(Notification.kind == "password_set_by_admin")
        .order_by(Notification.id.desc())
    )
    assert "An administrator at the server console set a new password" in bodies
    assert "another long passphrase" not in bodies
    told = organisation.count(Notification, Notification.kind == "password_set_by_admin")
    assert told == 2  # the first password, then the one set at the console
