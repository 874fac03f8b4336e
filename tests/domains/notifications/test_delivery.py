"""Notices go out through a real SMTP server after commit; a server down loses none."""

from __future__ import annotations

from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from aegis.core.settings import Settings
from aegis.domains.notifications import service as notifications
from aegis.domains.notifications.delivery import NO_STARTTLS
from tests.conftest import PASSWORD, World
from tests.domains.notifications.support import CLOSING, notices_of
from tests.mail_support import (
    MAIL_PASSWORD,
    MAIL_USER,
    SENDER,
    MailBox,
    free_port,
    point_at,
    run_server,
)
from tests.mfa_support import CodeClock, enrol


def test_a_notice_is_emailed_once_its_request_has_committed(
    client: TestClient,
    token_for,
    codes: CodeClock,
    db,
    world: World,
    mail_settings: Settings,
    mail_server: MailBox,
) -> None:
    secret, recovery = enrol(client, token_for("analyst"), codes)
    (mail,) = mail_server.received
    assert mail.rcpt_tos == ["analyst@example.com"]
    assert mail.mail_from == SENDER and mail.message["From"] == SENDER
    assert mail.message["To"] == "analyst@example.com"
    assert mail.subject == "Multi-factor sign-in was set up on your Aegis account"
    assert mail.text.startswith("Hello Analyst,")
    assert "An authenticator app was set up on your Aegis account" in mail.text
    assert "From address: testclient" in mail.text and CLOSING in mail.text
    assert mail.message.get_content_type() == "text/plain"
    for secret_text in [secret, PASSWORD, *recovery]:
        assert secret_text not in mail.text
    (notice,) = notices_of(db, world.users["analyst"])
    assert notice.sent_at is not None and notice.attempts == 1 and notice.last_error is None


def test_a_mail_server_that_is_down_leaves_the_notice_pending_until_sent_again(
    client: TestClient, token_for, codes: CodeClock, db, world: World, settings: Settings,
    session_factory,
) -> None:  # fmt: skip
    down = MailBox("127.0.0.1", free_port())
    point_at(settings, down)
    enrol(client, token_for("analyst"), codes)
    (notice,) = notices_of(db, world.users["analyst"])
    assert notice.sent_at is None and notice.attempts == 1
    assert notice.last_error is not None and "ConnectionRefusedError" in notice.last_error
    assert [item.status for item in notifications.list_unsent(session=db)] == ["failed"]

    controller = run_server(down)
    try:
        server = notifications.mail_server(settings)
        done = notifications.deliver(factory=session_factory, server=server)
    finally:
        controller.stop()
    assert (done.sent, done.failed) == (1, 0)
    assert [mail.subject for mail in down.to("analyst@example.com")] == [notice.subject]
    (sent,) = notices_of(db, world.users["analyst"])
    assert sent.sent_at is not None and sent.attempts == 2 and sent.last_error is None
    assert notifications.list_unsent(session=db) == []
    again = notifications.deliver(factory=session_factory, server=server)
    assert (again.sent, again.failed) == (0, 0)  # nothing is sent twice


def test_starttls_is_used_when_offered_and_the_login_goes_over_it(
    client: TestClient, token_for, codes: CodeClock, settings: Settings,
    mail_server_with_login: MailBox,
) -> None:  # fmt: skip
    point_at(settings, mail_server_with_login, smtp_username=MAIL_USER, smtp_password=MAIL_PASSWORD)
    enrol(client, token_for("analyst"), codes)
    assert mail_server_with_login.logins == [MAIL_USER]
    assert mail_server_with_login.encrypted == [True]
    assert len(mail_server_with_login.to("analyst@example.com")) == 1


def test_a_refused_login_or_missing_starttls_keeps_the_notice_with_the_error(
    client: TestClient, token_for, codes: CodeClock, db, world: World, settings: Settings,
    mail_server_with_login: MailBox, mail_server: MailBox,
) -> None:  # fmt: skip
    point_at(settings, mail_server_with_login, smtp_username=MAIL_USER, smtp_password="wrong")
    enrol(client, token_for("analyst"), codes)
    (refused,) = notices_of(db, world.users["analyst"])
    assert refused.sent_at is None
    assert refused.last_error is not None and "SMTPAuthenticationError" in refused.last_error
    assert mail_server_with_login.received == []

    point_at(settings, mail_server, smtp_starttls=True)  # a server without STARTTLS
    enrol(client, token_for("analyst_b"), codes)
    (plain,) = notices_of(db, world.users["analyst_b"])
    assert plain.sent_at is None and plain.last_error is not None
    assert NO_STARTTLS in plain.last_error
    assert mail_server.received == []  # nothing went out unencrypted


def test_the_log_names_subject_and_recipient_never_the_body(
    client: TestClient, token_for, codes: CodeClock, db, world: World, mail_settings: Settings
) -> None:
    with capture_logs() as logged:
        enrol(client, token_for("analyst"), codes)
    (notice,) = notices_of(db, world.users["analyst"])
    mine = [entry for entry in logged if entry.get("notice_id") == notice.id]
    assert [entry["event"] for entry in mine] == ["notice_sent"]
    for entry in mine:
        assert entry["recipient_id"] == world.users["analyst"]
        assert entry["subject"] == notice.subject
    for entry in logged:
        for value in entry.values():
            assert "Hello Analyst" not in str(value)
            assert "An authenticator app was set up" not in str(value)
