"""Database engine, session factory, declarative base and column mixins."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import DateTime, Engine, Integer, MetaData, create_engine, event, text
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

SQLITE_BUSY_TIMEOUT_MS = 15_000
# Statistics for the query planner (see sqlite.org/lang_analyze.html): ANALYZE reads at most
# this many rows per index, so it stays quick on a large database and the figures stay good.
SQLITE_ANALYSIS_LIMIT = 1000
# A pooled connection runs PRAGMA optimize after this many uses, and again when it closes.
SQLITE_OPTIMIZE_EVERY = 1000
# Statistics are never worth queueing behind a writer for: skipped, then tried next time.
SQLITE_OPTIMIZE_WAIT_MS = 200
OPTIMIZE_USES = "aegis_uses_since_optimize"
READS_ONLY = "aegis_reads_only"
MYSQL_LOCK_ERRORS = frozenset({1205, 1213})  # lock wait timeout, deadlock
POSTGRES_LOCK_STATES = frozenset({"40001", "40P01", "55P03"})  # serialization, deadlock, lock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as naive UTC and always returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class VersionMixin:
    """A version number that every saved change raises; a save over a newer version fails."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # UPDATE ... WHERE version = <the version read>: a concurrent save makes it match nothing
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}  # type: ignore[attr-defined]


class TimestampMixin:
    """Creation and last-update times."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def normalize_url(url: str) -> str:
    """Pick the supported driver for a bare `mysql://` or `postgresql://` URL."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in ("mysql", "mariadb"):
        parsed = parsed.set(drivername="mysql+pymysql")
    elif driver in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("mysql") and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed.render_as_string(hide_password=False)


log = structlog.get_logger("aegis.db")


def optimize_sqlite(dbapi_connection: Any, busy_timeout_ms: int, mask: str = "") -> None:
    """Run PRAGMA optimize: ANALYZE the tables whose statistics are missing or out of date.

    Any ANALYZE it runs writes the statistics, so it waits only briefly for a writer and is
    skipped (until the next run) rather than holding up a request.
    """
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_OPTIMIZE_WAIT_MS}")
            cursor.execute(f"PRAGMA optimize={mask}" if mask else "PRAGMA optimize")
        finally:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.close()
    except sqlite3.Error as exc:
        log.info("sqlite_statistics_skipped", reason=str(exc))


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def enable(dbapi_connection: Any, _record: Any) -> None:
        # let SQLAlchemy emit BEGIN itself so that SAVEPOINTs nest inside real transactions
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        cursor.close()
        # as SQLite advises for long-lived connections: at open, check every table (3.46+)
        optimize_sqlite(dbapi_connection, busy_timeout_ms, "0x10002")

    return enable


def _sqlite_optimize_now_and_then(busy_timeout_ms: int, every: int) -> Any:
    def returned(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is None:  # invalidated, nothing to optimize
            return
        uses = record.info.get(OPTIMIZE_USES, 0) + 1
        record.info[OPTIMIZE_USES] = 0 if uses >= every else uses
        if uses >= every:
            optimize_sqlite(dbapi_connection, busy_timeout_ms)

    return returned


def _sqlite_optimize_on_close(busy_timeout_ms: int) -> Any:
    def closing(dbapi_connection: Any, _record: Any) -> None:
        optimize_sqlite(dbapi_connection, busy_timeout_ms)

    return closing


def _begin_sqlite(connection: Any) -> None:
    # Writers take the write lock at the start and queue for it within the busy timeout;
    # a deferred transaction that later writes fails at once when another writer got in first.
    reads_only = connection.get_execution_options().get(READS_ONLY, False)
    connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


def mark_reads_only(session: Session) -> None:
    """Declare that this session's transaction will not write (SQLite then takes no lock)."""
    session.connection(execution_options={READS_ONLY: True})


def reading(engine: Engine) -> Engine:
    """The same engine for connections that only read (SQLite then takes no write lock)."""
    return engine.execution_options(**{READS_ONLY: True})


def is_lock_contention(exc: DBAPIError) -> bool:
    """Whether a database error means 'another writer holds the lock; try again shortly'."""
    orig = exc.orig
    if orig is None:
        return False
    message = str(orig).lower()
    if "database is locked" in message or "database table is locked" in message:
        return True
    code = orig.args[0] if orig.args and isinstance(orig.args[0], int) else None
    if code in MYSQL_LOCK_ERRORS:
        return True
    return getattr(orig, "sqlstate", None) in POSTGRES_LOCK_STATES


def build_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 20,
    pool_recycle: int = 1800,
    sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    sqlite_optimize_every: int = SQLITE_OPTIMIZE_EVERY,
) -> Engine:
    """Create an engine with the right options for SQLite, MariaDB/MySQL or PostgreSQL.

    SQLite keeps its planner statistics current through PRAGMA optimize: when a connection
    opens, after every `sqlite_optimize_every` uses of it and when it closes.
    """
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if database in ("", ":memory:"):
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_busy_timeout_ms))
        event.listen(
            engine,
            "checkin",
            _sqlite_optimize_now_and_then(sqlite_busy_timeout_ms, sqlite_optimize_every),
        )
        event.listen(engine, "close", _sqlite_optimize_on_close(sqlite_busy_timeout_ms))
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=pool_recycle,
        pool_pre_ping=True,
    )


def make_session_factory(
    engine: Engine, info: dict[str, Any] | None = None
) -> sessionmaker[Session]:
    """Return a session factory bound to the engine; `info` is given to every session."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True, info=info)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Open a session, commit when the block succeeds, roll back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
