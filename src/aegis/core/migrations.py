"""Schema migrations driven from code: upgrade, downgrade, current revision, head check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from aegis.core.db import reading

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _migrations_dir() -> Path:
    packaged = Path(__file__).resolve().parents[1] / "migrations"
    return packaged if packaged.is_dir() else PROJECT_ROOT / "migrations"


def alembic_config(engine: Engine) -> Config:
    """Build an Alembic configuration bound to an engine."""
    config = Config()
    config.set_main_option("script_location", str(_migrations_dir()))
    config.attributes["url"] = engine.url.render_as_string(hide_password=False)
    config.attributes["configure_logging"] = False
    return config


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for the migrations.

    On SQLite a changed constraint rebuilds its table, and dropping the old table would
    delete (or refuse to delete) the rows that reference it: foreign keys are paused for
    the migration, which the engine only allows outside a transaction, and every reference
    is checked before the commit.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"The migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to a revision (head by default), then refresh the statistics."""
    with migrating(engine) as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    refresh_statistics(engine)


def refresh_statistics(engine: Engine) -> None:
    """Gather the query planner's statistics of every table and index on SQLite.

    SQLite plans without statistics until ANALYZE has run, and new tables and indexes have
    none; the connections keep them current afterwards (`PRAGMA optimize`, see `core.db`).
    MariaDB (InnoDB's persistent statistics, recalculated when a table is rebuilt or a tenth
    of it changes) and PostgreSQL (autovacuum's ANALYZE) keep their own.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the schema to a revision (`base` removes every table), one revision at a time.

    Each step commits with its own revision stamp: MariaDB commits schema changes as it makes
    them, so a step that refuses leaves the database at that step's revision, as stamped.
    """
    script = ScriptDirectory.from_config(alembic_config(engine))
    target = None if revision == "base" else script.get_revision(revision).revision
    steps: list[tuple[str, str | None]] = []
    current = current_revision(engine)
    while current is not None and current != target:
        below = script.get_revision(current).down_revision
        if not isinstance(below, str | None):
            raise RuntimeError(f"Revision {current} merges branches: downgrade it by hand")
        steps.append((current, below))
        current = below
    if current != target:
        raise RuntimeError(f"Revision {revision} is not below the database's revision")
    for _step, below in steps:
        with migrating(engine) as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.downgrade(config, below or "base")


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None when it has no schema."""
    with reading(engine).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    """Return the newest revision shipped with this version of Aegis."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def is_at_head(engine: Engine) -> bool:
    """Whether the database schema is at the newest revision."""
    return current_revision(engine) == head_revision(engine)
