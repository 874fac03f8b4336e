"""Blob files follow the transaction: new ones vanish on rollback, dropped ones after commit."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

from aegis.core.storage import LocalBlobStore

_INFO_KEY = "aegis.evidence.blobs"


@dataclass
class _Pending:
    """Blobs whose fate depends on how the session's transaction ends."""

    store: LocalBlobStore
    written: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _on_commit(session: Session) -> None:
    pending: _Pending | None = session.info.get(_INFO_KEY)
    if pending is None or session.in_nested_transaction():
        return
    for key in pending.dropped:
        pending.store.delete(key)
    pending.written.clear()
    pending.dropped.clear()


def _on_rollback(session: Session) -> None:
    pending: _Pending | None = session.info.get(_INFO_KEY)
    if pending is None or session.in_nested_transaction():
        return
    for key in pending.written:
        pending.store.delete(key)
    pending.written.clear()
    pending.dropped.clear()


def _pending(session: Session, store: LocalBlobStore) -> _Pending:
    pending: _Pending | None = session.info.get(_INFO_KEY)
    if pending is None:
        pending = _Pending(store)
        session.info[_INFO_KEY] = pending
        event.listen(session, "after_commit", _on_commit)
        event.listen(session, "after_rollback", _on_rollback)
    return pending


def written(session: Session, store: LocalBlobStore, key: str) -> None:
    """Remember a new blob so that a rollback of the transaction deletes it."""
    _pending(session, store).written.append(key)


def forget_written(session: Session, key: str) -> None:
    """Stop tracking a new blob (it was deleted already)."""
    pending: _Pending | None = session.info.get(_INFO_KEY)
    if pending is not None and key in pending.written:
        pending.written.remove(key)


def delete_after_commit(session: Session, store: LocalBlobStore, keys: list[str]) -> None:
    """Delete these blobs once the transaction that removed their rows has committed."""
    _pending(session, store).dropped.extend(keys)
