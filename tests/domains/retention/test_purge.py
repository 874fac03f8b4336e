"""Retention: ended sessions, old sign-in failures and quarantined uploads are purged."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aegis.core.db import utcnow
from aegis.core.storage import LocalBlobStore
from aegis.domains.retention import service as retention
from aegis.models import AuditEvent, AuthSession, QuarantinedFile, RefreshToken, SignInThrottle
from tests.conftest import World
from tests.factories.risks import make_risk

POLICY = retention.RetentionPolicy(sessions_days=30, sign_in_throttle_days=7, quarantine_days=60)


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs", quarantine=tmp_path / "quarantine")


def _session(db, user_id: int, name: str, *, days_ago: int, revoked: bool = False) -> AuthSession:
    """A session started and last used `days_ago`, ended then when `revoked`."""
    then = utcnow() - timedelta(days=days_ago)
    row = AuthSession(
        user_id=user_id,
        key_hash=f"{name:0<64}"[:64],
        kind="browser",
        created_at=then,
        last_used_at=then,
        expires_at=then + timedelta(hours=12),
        revoked_at=then if revoked else None,
    )
    db.add(row)
    db.flush()
    db.add(RefreshToken(session_id=row.id, token_hash=f"r{name:0<63}"[:64], created_at=then))
    db.flush()
    return row


def _throttle(db, subject: str, *, days_ago: int, locked_days_ahead: int | None = None) -> None:
    then = utcnow() - timedelta(days=days_ago)
    locked = utcnow() + timedelta(days=locked_days_ahead) if locked_days_ahead else None
    db.add(
        SignInThrottle(
            kind="account",
            subject=subject,
            failures=3,
            window_started_at=then,
            updated_at=then,
            locked_until=locked,
        )
    )
    db.flush()


def _quarantined(db, store: LocalBlobStore, name: str, *, days_ago: int) -> QuarantinedFile:
    blob = store.put_quarantined([b"infected " + name.encode()], max_bytes=1024)
    row = QuarantinedFile(
        filename=name,
        upload_kind="evidence",
        signature="Eicar-Test-Signature",
        size=blob.size,
        sha256=blob.sha256,
        storage_key=blob.key,
        uploaded_at=utcnow() - timedelta(days=days_ago),
    )
    db.add(row)
    db.flush()
    return row


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    return int(db.scalar(select(func.count()).select_from(model)))


def _setup(db, world: World, store: LocalBlobStore) -> dict[str, object]:
    analyst = world.users["analyst"]
    return {
        "old_ended": _session(db, analyst, "a", days_ago=40, revoked=True),
        "old_expired": _session(db, analyst, "b", days_ago=45),
        "recent_ended": _session(db, analyst, "c", days_ago=3, revoked=True),
        "open": _session(db, analyst, "d", days_ago=0),
        "old_file": _quarantined(db, store, "old.exe", days_ago=61),
        "new_file": _quarantined(db, store, "new.exe", days_ago=5),
        "throttles": [
            _throttle(db, "old@example.com", days_ago=8),
            _throttle(db, "recent@example.com", days_ago=1),
            _throttle(db, "locked@example.com", days_ago=8, locked_days_ahead=1),
        ],
    }


def _session_ids(db) -> set[int]:  # type: ignore[no-untyped-def]
    return set(db.scalars(select(AuthSession.id)))


def test_old_rows_go_recent_rows_stay_and_one_event_counts_them(
    db, world: World, store: LocalBlobStore
) -> None:
    made = _setup(db, world, store)
    report = retention.purge(session=db, policy=POLICY)

    assert report.counts() == {
        "sessions": 2,
        "refresh_tokens": 2,
        "sign_in_throttles": 1,
        "quarantined_files": 1,
    }
    ids = _session_ids(db)
    assert made["old_ended"].id not in ids and made["old_expired"].id not in ids
    assert {made["recent_ended"].id, made["open"].id} <= ids
    kept_tokens = set(db.scalars(select(RefreshToken.session_id)))
    assert made["old_ended"].id not in kept_tokens and made["open"].id in kept_tokens
    subjects = set(db.scalars(select(SignInThrottle.subject)))
    assert subjects == {"recent@example.com", "locked@example.com"}
    assert set(db.scalars(select(QuarantinedFile.filename))) == {"new.exe"}
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).all()
    assert event.changes["sessions"] == [None, 2]
    assert event.changes["quarantined_files"] == [None, 1]
    assert event.actor_id is None

    old_key, new_key = made["old_file"].storage_key, made["new_file"].storage_key
    assert store.has_quarantined(old_key)  # the file goes only once the purge is committed
    assert retention.delete_purged_files(store=store, report=report) == 1
    assert not store.has_quarantined(old_key) and store.has_quarantined(new_key)


def test_a_dry_run_counts_the_same_and_deletes_nothing(
    db, world: World, store: LocalBlobStore
) -> None:
    made = _setup(db, world, store)
    before = (_count(db, AuthSession), _count(db, RefreshToken), _count(db, SignInThrottle))

    report = retention.purge(session=db, policy=POLICY, dry_run=True)

    assert report.counts() == {
        "sessions": 2,
        "refresh_tokens": 2,
        "sign_in_throttles": 1,
        "quarantined_files": 1,
    }
    after = (_count(db, AuthSession), _count(db, RefreshToken), _count(db, SignInThrottle))
    assert after == before
    assert _count(db, QuarantinedFile) == 2
    assert retention.delete_purged_files(store=store, report=report) == 0
    assert store.has_quarantined(made["old_file"].storage_key)
    assert db.scalar(select(func.count()).where(AuditEvent.action == "purge")) == 0


def test_the_audit_trail_is_never_purged(db, world: World, principal_for) -> None:
    _session(db, world.users["analyst"], "e", days_ago=400, revoked=True)
    make_risk(db, principal_for("analyst"), world.units["division-a"])
    events = set(db.scalars(select(AuditEvent.id)))
    assert events  # the sign-ins, changes and refusals recorded so far, of every age
    report = retention.purge(
        session=db,
        policy=retention.RetentionPolicy(1, 1, 1),
        now=utcnow() + timedelta(days=3650),  # ten years on, everything else is past retention
    )
    assert report.sessions >= 1
    after = set(db.scalars(select(AuditEvent.id)))
    assert events < after and len(after - events) == 1  # only the purge's own event was added


def test_the_settings_give_the_policy_with_sane_defaults() -> None:
    from aegis.core.settings import Settings

    policy = retention.RetentionPolicy.of(Settings(env="test"))
    assert policy == retention.RetentionPolicy(
        sessions_days=90, sign_in_throttle_days=30, quarantine_days=90
    )
