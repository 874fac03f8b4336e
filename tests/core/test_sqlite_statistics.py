"""SQLite plans with statistics: ANALYZE after migrations, PRAGMA optimize as connections work.

These are SQLite's own statistics, so each test uses a SQLite file of its own whatever the
engine under test (MariaDB and PostgreSQL keep their statistics themselves).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from aegis.cli import context
from aegis.core import migrations
from aegis.core.db import build_engine, reading
from aegis.core.settings import get_settings
from tests.cli.console import Aegis

NOW = "2026-11-30 10:00:00"
UNITS = 300


def _parent(n: int) -> int | None:
    """Unit 1 is the root; unit 2 and every seventh unit sit under it, the others under 2."""
    if n == 1:
        return None
    return 1 if n == 2 or n % 7 == 0 else 2


UNDER_ONE = sum(1 for n in range(1, UNITS + 1) if _parent(n) == 1)


def _statistics(path: Path) -> dict[str, set[str | None]]:
    """{table: its analysed indexes (None for the table itself)}, or {} without sqlite_stat1."""
    with sqlite3.connect(path) as raw:
        found = raw.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if found.fetchone() is None:
            return {}
        rows = raw.execute("SELECT tbl, idx FROM sqlite_stat1").fetchall()
    tables: dict[str, set[str | None]] = {}
    for table, index in rows:
        tables.setdefault(table, set()).add(index)
    return tables


def _forget_statistics(path: Path) -> None:
    """Drop the statistics, as in a database that never had any."""
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TABLE IF EXISTS sqlite_stat1")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Path]:
    """A migrated SQLite file whose units table holds rows but has no statistics yet."""
    path = tmp_path / "statistics.db"
    engine = build_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO units (id, name, parent_id, description, created_at, updated_at) "
                "VALUES (:id, :name, :parent, '', :now, :now)"
            ),
            [
                {"id": n, "name": f"unit {n}", "parent": _parent(n), "now": NOW}
                for n in range(1, UNITS + 1)
            ],
        )
    engine.dispose()
    _forget_statistics(path)
    yield path


def _children_of_one(engine: Engine) -> int:
    """A query the units' parent index serves, on a connection of the engine's pool."""
    with reading(engine).connect() as connection:
        return int(
            connection.execute(text("SELECT count(*) FROM units WHERE parent_id = 1")).one()[0]
        )


def test_db_upgrade_gathers_statistics_on_a_migrated_database(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(database.parent)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("AEGIS_ENV", "test")
    monkeypatch.setenv("AEGIS_DATA_DIR", str(database.parent / "data"))
    context.engine.cache_clear()
    get_settings.cache_clear()
    aegis = Aegis(url=f"sqlite:///{database}", data_dir=database.parent / "data")
    assert _statistics(database) == {}
    try:
        aegis.ok("db", "upgrade")  # already at head: no revision runs, the statistics are taken
    finally:
        context.engine().dispose()
        context.engine.cache_clear()
        get_settings.cache_clear()
    analysed = _statistics(database)
    assert "ix_units_parent_id" in analysed["units"]
    with sqlite3.connect(database) as raw:
        (stat,) = raw.execute(
            "SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_units_parent_id'"
        ).fetchone()
    assert int(stat.split()[0]) == UNITS  # rows the planner now knows the table has


def test_a_connection_optimizes_after_every_so_many_uses(database: Path) -> None:
    engine = build_engine(f"sqlite:///{database}", sqlite_optimize_every=3)
    try:
        assert _children_of_one(engine) == UNDER_ONE
        assert _children_of_one(engine) == UNDER_ONE
        assert _statistics(database) == {}  # two uses: not yet
        _children_of_one(engine)
        assert "ix_units_parent_id" in _statistics(database).get("units", set())
    finally:
        engine.dispose()


def test_a_connection_optimizes_when_it_closes(database: Path) -> None:
    engine = build_engine(f"sqlite:///{database}")
    _children_of_one(engine)
    assert _statistics(database) == {}  # one use of a thousand
    engine.dispose()
    assert "ix_units_parent_id" in _statistics(database).get("units", set())


def test_optimize_waiting_for_a_writer_gives_up_and_leaves_the_connection_as_it_was(
    database: Path,
) -> None:
    engine = build_engine(f"sqlite:///{database}", sqlite_optimize_every=2)
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        _children_of_one(engine)
        writer.execute("BEGIN IMMEDIATE")  # someone else holds the write lock
        assert (
            _children_of_one(engine) == UNDER_ONE
        )  # the second use would optimize: skipped, no error
        writer.execute("ROLLBACK")
        assert _statistics(database) == {}
        with engine.connect() as connection:
            timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
        assert timeout == 15_000  # writers still queue as long as before
    finally:
        writer.close()
        engine.dispose()
