"""Stable references of objects: chosen by people, or made from the id (A-000123) when left out."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value

REF_LENGTH = 64
PENDING = "~"  # a placeholder while the row waits for its id


def automatic_ref(prefix: str, object_id: int) -> str:
    """The reference an object gets from its id: A-000123."""
    return f"{prefix}-{object_id:06d}"


def _taken(connection: Connection, table: Any, unit_id: int, ref: str) -> bool:
    stmt = select(table.c.id).where(
        table.c.unit_id == unit_id, func.lower(table.c.ref) == ref.lower()
    )
    return connection.execute(stmt.limit(1)).first() is not None


def number_automatically(model: Any, prefix: str) -> None:
    """Give rows of `model` saved without a reference one made from their id."""
    table = model.__table__

    @event.listens_for(model, "before_insert")
    def _hold(_mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
        if not target.ref:
            target.ref = PENDING + uuid4().hex

    @event.listens_for(model, "after_insert")
    def _number(_mapper: Mapper[Any], connection: Connection, target: Any) -> None:
        if not target.ref.startswith(PENDING):
            return
        base = ref = automatic_ref(prefix, target.id)
        suffix = 1
        while _taken(connection, table, target.unit_id, ref):
            suffix += 1
            ref = f"{base}-{suffix}"
        keep_time = {"updated_at": table.c.updated_at}  # numbering is not a change
        connection.execute(
            table.update().where(table.c.id == target.id).values(ref=ref, **keep_time)
        )
        set_committed_value(target, "ref", ref)
