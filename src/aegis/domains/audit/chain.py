"""Appending to the audit chain, one writer at a time, and refusing any change to events.

Every flush that adds events locks the chain's head row (SELECT ... FOR UPDATE; SQLite
writers are serialised by BEGIN IMMEDIATE), seals the new events after the last one and
moves the head, all in the flushing transaction. A concurrent writer waits for the lock
and continues from the new head; a rolled-back transaction or savepoint takes its events
and its move of the head with it.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from aegis.core.audit_chain import Sealed, chain_key, key_id, seal
from aegis.core.db import READS_ONLY, utcnow
from aegis.models import AuditChainHead, AuditEvent
from aegis.models.audit import HEAD_ID

log = structlog.get_logger("aegis.audit")
PROTECTED = frozenset({AuditEvent.__tablename__, AuditChainHead.__tablename__})


class AuditTrailIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a recorded audit event."""


def sealed_form(row: Any, position: int | None = None) -> Sealed:
    """What the seal of an event (an AuditEvent or a row of its columns) covers."""
    return Sealed(
        position=row.chain_position if position is None else position,
        occurred_at=row.occurred_at,
        actor_id=row.actor_id,
        actor_email=row.actor_email,
        unit_id=row.unit_id,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        action=row.action,
        changes=row.changes,
        request_id=row.request_id,
    )


def _refuse_changes(session: Session) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditTrailIsAppendOnly("Audit events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditTrailIsAppendOnly("Audit events cannot be changed")


def _append(session: Session, events: list[AuditEvent]) -> None:
    """Seal the new events after the head, in the order they were added, and move the head."""
    key = chain_key(session.info)
    connection = session.connection()
    head = connection.execute(
        select(AuditChainHead.last_position, AuditChainHead.last_seal, AuditChainHead.key_id)
        .where(AuditChainHead.id == HEAD_ID)
        .with_for_update()
    ).one_or_none()
    if head is None:
        raise RuntimeError("The audit trail has no chain head: run `aegis db upgrade`")
    position, previous, known_key = head
    if known_key is not None and known_key != key_id(key):
        log.error("audit_chain_key_differs", expected_key_id=known_key)
    for item in events:
        item.occurred_at = item.occurred_at or utcnow()
        item.changes = item.changes if item.changes is not None else {}
        position += 1
        item.chain_position, item.chain_previous = position, previous
        item.chain_seal = previous = seal(key, item.chain_previous, sealed_form(item))
    connection.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_position=position, last_seal=previous, key_id=known_key or key_id(key))
    )


@event.listens_for(Session, "after_begin")
def _queue_writers_at_the_head(session: Session, _transaction: Any, connection: Any) -> None:
    """Take the chain head first in every writing transaction (SQLite queues at BEGIN).

    A writer that locked other rows before the head could otherwise deadlock with one that
    holds the head and then needs those rows; taking it first makes writers queue instead.
    """
    if connection.dialect.name == "sqlite" or connection.get_execution_options().get(READS_ONLY):
        return
    connection.execute(
        select(AuditChainHead.id).where(AuditChainHead.id == HEAD_ID).with_for_update()
    )


@event.listens_for(Session, "before_flush")
def _seal_new_events(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    _refuse_changes(session)
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if new:
        new.sort(key=lambda obj: inspect(obj).insert_order or 0)
        _append(session, new)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in PROTECTED:
        raise AuditTrailIsAppendOnly("Audit events cannot be changed or deleted")
