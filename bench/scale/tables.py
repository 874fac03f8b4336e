"""Writing generated rows in batches with SQLAlchemy Core, and keeping id sequences right."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

BATCH = 5_000


def insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows a batch at a time (one executemany per batch)."""
    for start in range(0, len(rows), BATCH):
        connection.execute(table.insert(), list(rows[start : start + BATCH]))


def next_id(connection: Connection, table: Table) -> int:
    """The first id after the table's highest."""
    return int(connection.scalar(select(func.max(table.c.id))) or 0) + 1


def follow_ids(connection: Connection, tables: Sequence[Table]) -> None:
    """Move PostgreSQL's id sequences past the ids written here (other engines follow alone)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), max(id)) FROM "  # noqa: S608
                + connection.dialect.identifier_preparer.quote(table.name)
                + " HAVING max(id) IS NOT NULL"
            ),
            {"table": table.name},
        )
