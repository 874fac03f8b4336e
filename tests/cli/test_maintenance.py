"""`aegis maintenance purge [--dry-run]`: records past their retention go, the trail stays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.db import utcnow
from aegis.core.settings import get_settings
from aegis.core.storage import LocalBlobStore
from aegis.models import (
    AuditEvent,
    AuthSession,
    QuarantinedFile,
    RefreshToken,
    SignInThrottle,
    User,
)
from tests.cli.console import PASSWORD, Aegis, said

EMAIL = "ada.lovelace@example.com"
QUARANTINE = "quarantine"


def _old_and_recent(aegis: Aegis) -> tuple[str, str]:
    """Sessions, failed sign-ins and quarantined files, each one old and one recent."""
    aegis.ok(
        "users", "create", "--email", EMAIL, "--name", "Ada Lovelace", "--role", "analyst",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    store = LocalBlobStore(aegis.data_dir / "blobs", quarantine=aegis.data_dir / "quarantine")
    now = utcnow()
    keys = []
    with Session(aegis.engine) as session, session.begin():
        user_id = session.scalar(select(User.id).where(User.email == EMAIL))
        for name, days in (("old", 200), ("recent", 2)):
            then = now - timedelta(days=days)
            row = AuthSession(
                user_id=user_id,
                key_hash=name.ljust(64, "0"),
                kind="browser",
                created_at=then,
                last_used_at=then,
                expires_at=then + timedelta(hours=12),
                revoked_at=then,
            )
            session.add(row)
            session.flush()
            session.add(RefreshToken(session_id=row.id, token_hash=name.ljust(64, "1")))
            session.add(
                SignInThrottle(
                    kind="address", subject=f"192.0.2.{days}", failures=1, updated_at=then
                )
            )
            blob = store.put_quarantined([b"infected " + name.encode()], max_bytes=1024)
            keys.append(blob.key)
            session.add(
                QuarantinedFile(
                    filename=f"{name}.exe",
                    upload_kind="evidence",
                    signature="Eicar-Test-Signature",
                    size=blob.size,
                    sha256=blob.sha256,
                    storage_key=blob.key,
                    uploaded_at=then,
                )
            )
    old_key, recent_key = keys
    return old_key, recent_key


def _kept(aegis: Aegis) -> tuple[int, int, int, int]:
    return (
        aegis.count(AuthSession),
        aegis.count(RefreshToken),
        aegis.count(SignInThrottle),
        aegis.count(QuarantinedFile),
    )


def test_a_dry_run_counts_and_removes_nothing(organisation: Aegis) -> None:
    old_key, _ = _old_and_recent(organisation)
    store = LocalBlobStore(
        organisation.data_dir / "b", quarantine=organisation.data_dir / QUARANTINE
    )
    before = _kept(organisation)

    result = organisation.ok("maintenance", "purge", "--dry-run")

    text = said(result)
    assert "Login sessions ended (older than 90 days): would remove 1" in text
    assert "Refresh tokens of those sessions (older than 90 days): would remove 1" in text
    assert "Failed sign-in counts and locks (older than 30 days): would remove 1" in text
    assert "Quarantined uploads (older than 90 days): would remove 1" in text
    assert "Dry run: nothing was removed." in text
    assert _kept(organisation) == before
    assert store.has_quarantined(old_key)
    assert organisation.count(AuditEvent, AuditEvent.action == "purge") == 0


def test_a_purge_removes_old_rows_and_files_records_one_event_and_keeps_the_trail(
    organisation: Aegis, monkeypatch
) -> None:
    old_key, recent_key = _old_and_recent(organisation)
    store = LocalBlobStore(
        organisation.data_dir / "b", quarantine=organisation.data_dir / QUARANTINE
    )
    events = organisation.count(AuditEvent)
    monkeypatch.setenv("AEGIS_RETENTION_SIGN_IN_THROTTLE_DAYS", "7")
    get_settings.cache_clear()

    result = organisation.ok("maintenance", "purge")

    text = said(result)
    assert "Login sessions ended (older than 90 days): removed 1" in text
    assert "Failed sign-in counts and locks (older than 7 days): removed 1" in text
    assert "Removed 4 records; the audit trail is kept." in text
    assert _kept(organisation) == (1, 1, 1, 1)
    recent = organisation.scalar(select(QuarantinedFile.filename))
    assert recent == "recent.exe"
    assert not store.has_quarantined(old_key) and store.has_quarantined(recent_key)
    assert organisation.count(AuditEvent) == events + 1
    event = organisation.scalar(select(AuditEvent).where(AuditEvent.action == "purge"))
    assert event.changes["sessions"] == [None, 1]
    assert event.changes["retention_days"][1]["sign_in_throttles"] == 7
    assert "intact" in said(organisation.ok("audit", "verify"))
    again = organisation.ok("maintenance", "purge")
    assert "Removed 0 records" in said(again)
