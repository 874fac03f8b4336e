"""Lock contention on every engine is recognised and answered with 503 and Retry-After."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from aegis.core.db import build_engine, is_lock_contention
from aegis.domains.risks import service as risks
from tests.databases import fresh_database, worker_suffix
from tests.factories.risks import risk_body


@pytest.fixture(scope="module")
def lock_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A small database of its own, with waits for locks cut to a fraction of a second."""
    url = fresh_database(f"aegis_locks_{worker_suffix()}", tmp_path_factory.mktemp("locks"))
    engine = build_engine(url, sqlite_busy_timeout_ms=100)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER)"))
        connection.execute(text("INSERT INTO counters (id, n) VALUES (1, 0)"))
    yield engine
    engine.dispose()


def _shorten_waits(connection, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    if engine.dialect.name == "postgresql":
        connection.execute(text("SET lock_timeout = '100ms'"))
    elif engine.dialect.name in ("mysql", "mariadb"):
        connection.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))


def _contended_write(engine: Engine) -> DBAPIError:
    """Provoke a lock wait that times out while another transaction holds the row."""
    update = text("UPDATE counters SET n = n + 1 WHERE id = 1")
    with engine.connect() as holder, engine.connect() as waiter:
        _shorten_waits(waiter, engine)
        waiter.commit()
        holder.begin()
        holder.execute(update)
        try:
            with waiter.begin():
                waiter.execute(update)
        except DBAPIError as exc:
            return exc
        finally:
            holder.rollback()
    pytest.fail("the second writer did not wait for the first")


def test_a_lock_timeout_is_recognised_as_contention(lock_engine: Engine) -> None:
    assert is_lock_contention(_contended_write(lock_engine))


def test_other_database_errors_are_not_contention(lock_engine: Engine) -> None:
    with lock_engine.connect() as connection, pytest.raises(DBAPIError) as raised:
        connection.execute(text("SELECT * FROM no_such_table"))
    assert not is_lock_contention(raised.value)


def test_sqlite_writers_queue_for_the_lock_instead_of_failing(tmp_path: Path) -> None:
    """Two transactions that read then write both succeed (BEGIN IMMEDIATE queues them)."""
    engine = build_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    both_started = threading.Barrier(2, timeout=5)

    def read_then_write(n: int) -> None:
        if n == 1:
            both_started.wait()  # the second writer starts while the first holds its transaction
        with engine.begin() as connection:
            if n == 0:
                both_started.wait()
            connection.execute(text("SELECT count(*) FROM t")).scalar()
            time.sleep(0.2)
            connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})

    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(read_then_write, n) for n in (0, 1)]:
            future.result()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 2
    engine.dispose()


def test_a_busy_database_answers_503_with_retry_after_and_writes_nothing(
    client: TestClient, world, token_for, lock_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    contention = _contended_write(lock_engine)

    def busy(**_kwargs):  # type: ignore[no-untyped-def]
        raise contention

    monkeypatch.setattr(risks, "create_risk", busy)
    headers = token_for("analyst")
    response = client.post(
        "/api/v1/risks", json=risk_body(world.units["division-a"]), headers=headers
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.json()["error"]["code"] == "database_busy"
    assert "nothing was saved" in response.json()["error"]["message"]
    monkeypatch.undo()
    listed = client.get("/api/v1/risks", headers=headers).json()
    assert listed["total"] == 0
