"""`aegis keys rotate`: every sealed value and wrapped file key sealed again with the current key.

Sealed columns are found by their `info` (encryption.sealed_column), so a new one is rotated
without being named here. Rows are handled in batches, each in its own transaction, and a
row changed meanwhile is left alone (its update matches the old value only): the rotation
can be stopped at any time and run again, and a second run changes nothing. Files are not
touched: only their data keys are wrapped again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Column, ColumnElement, MetaData, Table, func, not_, select, update
from sqlalchemy.orm import Session, sessionmaker

from aegis.core.encryption import PREFIX, SEALED_INFO, EncryptionError, Keyring, reseal

BATCH_SIZE = 100


@dataclass
class ColumnRotation:
    """What the rotation did to one sealed column."""

    name: str
    resealed: int = 0
    current: int = 0  # values sealed with the current key once done
    failed: list[str] = field(default_factory=list)  # rows whose value did not open


def sealed_columns(metadata: MetaData) -> list[tuple[Table, Column[str], str]]:
    """Every column declared as holding sealed values, with its purpose, by table name."""
    found = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        for column in table.columns:
            purpose = column.info.get(SEALED_INFO)
            if purpose:
                found.append((table, column, str(purpose)))
    return found


def primary_key(table: Table) -> Column[int]:
    """The single-column primary key the rotation pages by."""
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        raise ValueError(f"{table.name} needs a single-column primary key to be rotated")
    return columns[0]


def _sealed_by(column: Column[str], key_id: str) -> ColumnElement[bool]:
    """SQL: the value names this key (ids hold letters, digits, '-' and '_' only)."""
    pattern = f"{PREFIX}:{key_id}:".replace("_", "\\_") + "%"
    return column.like(pattern, escape="\\")


def _is_current(column: Column[str], keyring: Keyring) -> ColumnElement[bool]:
    """SQL: the value is sealed with the current key."""
    return _sealed_by(column, keyring.current_id)


def _rotate_batch(
    factory: sessionmaker[Session],
    table: Table,
    column: Column[str],
    purpose: str,
    keyring: Keyring,
    after: object,
    batch_size: int,
    report: ColumnRotation,
) -> object | None:
    """Seal the next batch again; return the last key seen, None when nothing is left."""
    pk = primary_key(table)
    with factory.begin() as session:
        rows = session.execute(
            select(pk, column)
            .where(column.is_not(None), not_(_is_current(column, keyring)), pk > after)
            .order_by(pk)
            .limit(batch_size)
        ).all()
        for row_id, value in rows:
            try:
                fresh = reseal(keyring, value, purpose=purpose)
            except EncryptionError as exc:
                report.failed.append(f"{table.name} {pk.name}={row_id}: {exc}")
                continue
            done = session.execute(
                update(table).where(pk == row_id, column == value).values({column.name: fresh})
            )
            report.resealed += int(getattr(done, "rowcount", 0) or 0)
    return rows[-1][0] if rows else None


def rotate_column(
    factory: sessionmaker[Session],
    table: Table,
    column: Column[str],
    purpose: str,
    keyring: Keyring,
    *,
    batch_size: int = BATCH_SIZE,
) -> ColumnRotation:
    """Seal every value of one column with the current key, batch by batch."""
    report = ColumnRotation(name=f"{table.name}.{column.name}")
    after: object = _lowest(factory, table)
    while after is not None:
        after = _rotate_batch(factory, table, column, purpose, keyring, after, batch_size, report)
    with factory.begin() as session:
        report.current = int(
            session.scalar(
                select(func.count()).select_from(table).where(_is_current(column, keyring))
            )
            or 0
        )
    return report


def _lowest(factory: sessionmaker[Session], table: Table) -> object | None:
    """A key below every row's (None: the table is empty)."""
    pk = primary_key(table)
    with factory.begin() as session:
        lowest = session.scalar(select(func.min(pk)))
    return None if lowest is None else lowest - 1


def rotate(
    factory: sessionmaker[Session],
    metadata: MetaData,
    keyring: Keyring,
    *,
    batch_size: int = BATCH_SIZE,
) -> list[ColumnRotation]:
    """Seal every sealed value of the database with the current key; one report per column."""
    return [
        rotate_column(factory, table, column, purpose, keyring, batch_size=batch_size)
        for table, column, purpose in sealed_columns(metadata)
    ]


def keys_in_use(
    factory: sessionmaker[Session], metadata: MetaData, keyring: Keyring
) -> dict[str, int]:
    """How many sealed values each configured key seals ("other": none of them)."""
    counts = dict.fromkeys(keyring.keys, 0)
    counts["other"] = 0
    with factory.begin() as session:
        for table, column, _purpose in sealed_columns(metadata):
            total = session.scalar(
                select(func.count()).select_from(table).where(column.is_not(None))
            )
            counted = 0
            for key_id in keyring.keys:
                found = session.scalar(
                    select(func.count()).select_from(table).where(_sealed_by(column, key_id))
                )
                counts[key_id] += int(found or 0)
                counted += int(found or 0)
            counts["other"] += int(total or 0) - counted
    return counts


def nothing_failed(reports: list[ColumnRotation]) -> bool:
    """Whether every value opened and was sealed again."""
    return all(not report.failed for report in reports)
