"""The audit trail of the generated objects, sealed in the chain as the product seals it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from aegis.core.audit_chain import Sealed, key_id, seal
from aegis.models import AuditChainHead, AuditEvent
from aegis.models.audit import HEAD_ID
from aegis.models.enums import ControlStatus, Criticality, RiskStatus, TaskStatus
from bench.scale.context import HISTORY_DAYS, Context, Made
from bench.scale.tables import insert

UPDATED = {  # the field an update of each kind changes, and its values
    "asset": ("criticality", tuple(Criticality)),
    "control": ("status", tuple(ControlStatus)),
    "risk": ("status", tuple(RiskStatus)),
    "task": ("status", tuple(TaskStatus)),
}


def _changes(ctx: Context, action: str, made: Made) -> dict[str, Any]:
    if action == "create":
        field = "name" if made.entity_type == "asset" else "title"
        return {field: [None, made.title], "version": [None, 1]}
    field, values = UPDATED[made.entity_type]
    before, after = ctx.rng.sample(values, 2)
    version = ctx.rng.randint(1, 9)
    return {field: [before.value, after.value], "version": [version, version + 1]}


def write(connection: Connection, ctx: Context, count: int, key: bytes) -> None:
    """Append `count` events about the generated objects after the chain's head, oldest first."""
    # sealed as aegis.domains.audit.chain seals, head moved: `aegis audit verify` checks them
    head = connection.execute(
        select(AuditChainHead.last_position, AuditChainHead.last_seal, AuditChainHead.key_id)
        .where(AuditChainHead.id == HEAD_ID)
        .with_for_update()
    ).one()
    position, previous, known_key = int(head[0]), str(head[1]), head[2]
    if known_key is not None and known_key != key_id(key):
        raise RuntimeError("The database's audit chain was sealed with another key")
    people = {person.id: person.email for person in ctx.people}
    start = ctx.now - timedelta(days=HISTORY_DAYS)
    step = (ctx.now - timedelta(minutes=5) - start) / count
    rows = []
    for number in range(count):
        made = ctx.rng.choice(ctx.made)
        action = "create" if ctx.rng.random() < 0.6 else "update"
        actor = ctx.person()
        position += 1
        event = Sealed(
            position=position,
            occurred_at=(start + step * number).replace(microsecond=0),
            actor_id=actor,
            actor_email=people[actor],
            unit_id=made.unit_id,
            entity_type=made.entity_type,
            entity_id=made.id,
            action=action,
            changes=_changes(ctx, action, made),
            request_id=f"{ctx.rng.getrandbits(64):016x}",
        )
        sealed = seal(key, previous, event)
        rows.append(
            {
                "occurred_at": event.occurred_at,
                "actor_id": event.actor_id,
                "actor_email": event.actor_email,
                "unit_id": event.unit_id,
                "entity_type": event.entity_type,
                "entity_id": event.entity_id,
                "action": event.action,
                "changes": event.changes,
                "request_id": event.request_id,
                "chain_position": position,
                "chain_previous": previous,
                "chain_seal": sealed,
            }
        )
        previous = sealed
    insert(connection, AuditEvent.__table__, rows)
    connection.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_position=position, last_seal=previous, key_id=known_key or key_id(key))
    )
