"""Removing what is kept past its retention: ended sessions, sign-in failures, quarantine.

`purge` deletes, in the caller's transaction, the login sessions that ended (signed out,
past their end or last used) more than AEGIS_RETENTION_SESSIONS_DAYS ago with their refresh
tokens, the failed sign-in counts and locks untouched for AEGIS_RETENTION_SIGN_IN_THROTTLE_DAYS,
and the quarantined uploads older than AEGIS_RETENTION_QUARANTINE_DAYS; one audit event
records the counts. The quarantined files themselves go once that transaction has
committed (`delete_purged_files`), so that a failed purge leaves every row with its file.

The audit trail is never purged: it is the record of who did what, its events are sealed in
one chain that a removed event would break, and it holds only what the actions named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from aegis.core.db import utcnow
from aegis.core.settings import Settings
from aegis.core.storage import LocalBlobStore
from aegis.domains.common.security_events import home_unit, record_security_event
from aegis.models import AuthSession, QuarantinedFile, RefreshToken, SignInThrottle


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days each kind of record is kept once it is no longer in use."""

    sessions_days: int
    sign_in_throttle_days: int
    quarantine_days: int

    @classmethod
    def of(cls, settings: Settings) -> RetentionPolicy:
        """The policy the AEGIS_RETENTION_* settings set."""
        return cls(
            sessions_days=settings.retention_sessions_days,
            sign_in_throttle_days=settings.retention_sign_in_throttle_days,
            quarantine_days=settings.retention_quarantine_days,
        )


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove), by kind."""

    sessions: int
    refresh_tokens: int
    sign_in_throttles: int
    quarantined_files: int
    dry_run: bool
    # storage keys of the quarantined files to delete once the purge has committed
    quarantine_keys: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """{kind: how many}, in the order people read them."""
        return {
            "sessions": self.sessions,
            "refresh_tokens": self.refresh_tokens,
            "sign_in_throttles": self.sign_in_throttles,
            "quarantined_files": self.quarantined_files,
        }


def _ended_sessions(cutoff: datetime) -> Select[Any]:
    """Sessions signed out, past their end or unused since before `cutoff`.

    A session unused for a day is past its idle limit (at most a day), so one last used
    before the cutoff ended no later than a day after it.
    """
    return select(AuthSession.id).where(
        or_(
            AuthSession.revoked_at < cutoff,
            AuthSession.expires_at < cutoff,
            AuthSession.last_used_at < cutoff,
        )
    )


def _count(session: Session, stmt: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def purge(
    *, session: Session, policy: RetentionPolicy, dry_run: bool = False, now: datetime | None = None
) -> PurgeReport:
    """Remove the records past their retention (count them only, when `dry_run`).

    Run from the console (`aegis maintenance purge`); the audit trail is left as it is.
    """
    moment = now or utcnow()
    ended = _ended_sessions(moment - timedelta(days=policy.sessions_days))
    tokens = select(RefreshToken.id).where(RefreshToken.session_id.in_(ended))
    throttle_cutoff = moment - timedelta(days=policy.sign_in_throttle_days)
    throttles = select(SignInThrottle.id).where(
        SignInThrottle.updated_at < throttle_cutoff,
        or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < throttle_cutoff),
    )
    quarantine_cutoff = moment - timedelta(days=policy.quarantine_days)
    quarantined = list(
        session.execute(
            select(QuarantinedFile.id, QuarantinedFile.storage_key).where(
                QuarantinedFile.uploaded_at < quarantine_cutoff
            )
        )
    )
    report = PurgeReport(
        sessions=_count(session, ended),
        refresh_tokens=_count(session, tokens),
        sign_in_throttles=_count(session, throttles),
        quarantined_files=len(quarantined),
        dry_run=dry_run,
        quarantine_keys=[key for _, key in quarantined],
    )
    if dry_run:
        return report
    session_ids = list(session.scalars(ended))
    for start in range(0, len(session_ids), 500):
        chunk = session_ids[start : start + 500]
        session.execute(delete(RefreshToken).where(RefreshToken.session_id.in_(chunk)))
        session.execute(delete(AuthSession).where(AuthSession.id.in_(chunk)))
    throttle_ids = list(session.scalars(throttles))
    for start in range(0, len(throttle_ids), 500):
        chunk = throttle_ids[start : start + 500]
        session.execute(delete(SignInThrottle).where(SignInThrottle.id.in_(chunk)))
    quarantine_ids = [row_id for row_id, _ in quarantined]
    for start in range(0, len(quarantine_ids), 500):
        chunk = quarantine_ids[start : start + 500]
        session.execute(delete(QuarantinedFile).where(QuarantinedFile.id.in_(chunk)))
    session.flush()
    record_security_event(
        session,
        "purge",
        entity_type="retention",
        entity_id=0,
        unit_id=home_unit(session, None),
        actor_id=None,
        actor_email=None,
        details={
            **report.counts(),
            "retention_days": {
                "sessions": policy.sessions_days,
                "sign_in_throttles": policy.sign_in_throttle_days,
                "quarantined_files": policy.quarantine_days,
            },
        },
        level="info",
    )
    return report


def delete_purged_files(*, store: LocalBlobStore, report: PurgeReport) -> int:
    """Delete the files of the quarantined uploads a committed purge removed; how many were."""
    if report.dry_run:
        return 0
    removed = 0
    for key in report.quarantine_keys:
        if store.has_quarantined(key):
            removed += 1
        store.delete_quarantined(key)
    return removed
