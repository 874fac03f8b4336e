"""The benchmark on a tiny scale: generated rows, a sealed trail, and answers equal to plain SQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from bench.measure import Options, measure
from bench.scale import NotEmpty, generate, plan
from bench.settings import server_environment
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from aegis.core.audit_chain import KEY_INFO
from aegis.core.db import build_engine
from aegis.core.settings import Settings
from aegis.domains.audit.verify import verify_chain
from bench import raw
from tests.cli.console import drop_database
from tests.databases import fresh_database, worker_suffix

TINY = 0.01
SEED = 7


@pytest.fixture
def bench_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the engine the suite runs on, removed afterwards."""
    url = fresh_database(f"aegis_bench_{worker_suffix()}", tmp_path)
    yield url
    drop_database(make_url(url).database or "")


def _key(data_dir: Path) -> str:
    return Settings(env="development", data_dir=data_dir).audit_chain_key


def _rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_tiny_scale_is_generated_sealed_and_measured(bench_database: str, tmp_path: Path) -> None:
    """Rows of each kind, an intact chain, half in the analyst's scope, answers equal to SQL."""
    engine = build_engine(bench_database)
    try:
        done = generate(engine, TINY, key=_key(tmp_path), seed=SEED)
        sizes = plan.sizes(TINY)
        assert {name: done.counts[name] for name in ("assets", "risks", "controls", "tasks")} == {
            "assets": sizes.assets,
            "risks": sizes.risks,
            "controls": sizes.controls,
            "tasks": sizes.tasks,
        }
        assert (done.counts["units"], done.counts["users"]) == (29, plan.USERS)
        assert done.counts["audit_events"] >= sizes.audit_events
        with Session(engine, info={KEY_INFO: _key(tmp_path)}) as session:
            chain = verify_chain(session=session, principal=None)
        assert chain.broken is None and chain.checked == done.counts["audit_events"]
        scope = raw.scope_of(engine, plan.ANALYST_EMAIL)
        assert scope.readable == scope.auditable and len(scope.readable) == 7
        in_scope = raw.counts(engine, scope, datetime.now(UTC).date())["risks"]
        assert 0.3 < in_scope / sizes.risks < 0.7  # the division analyst sees about half
        with pytest.raises(NotEmpty):  # never written over an organisation
            generate(engine, TINY, key=_key(tmp_path), seed=SEED)

        results = measure(
            bench_database,
            Options(modes=("run",), runs=2, sign_ins=1, clients=0, seconds=0),
            env=server_environment(bench_database, tmp_path),
            label="smoke",
            log_dir=tmp_path / "logs",
        )
    finally:
        engine.dispose()
    (run,) = results["runs"]
    failed = [check for check in run["checks"] if not check["ok"]]
    assert not failed, failed
    assert {c["name"] for c in run["checks"]} >= {"risks total", "audit_events total"}
    assert [(r["name"], r["requests"], r["errors"]) for r in run["reads"]] == [
        ("sign_in", 1, 0),
        ("dashboard", 2, 0),
        ("risks_deep_page", 2, 0),
        ("audit_events", 2, 0),
        ("assets_by_criticality", 2, 0),
        ("risk_detail", 2, 0),
    ]
    assert run["concurrency"] is None and run["peak_rss_mb"] > 0


def test_the_same_seed_gives_the_same_rows(tmp_path: Path) -> None:
    """Two databases generated with one seed and anchor day hold the same rows."""
    tables = {
        "risks": "SELECT * FROM risks ORDER BY id",
        "links": "SELECT risk_id, asset_id FROM risk_assets ORDER BY risk_id, asset_id",
        "mappings": "SELECT * FROM control_requirements ORDER BY control_id, requirement_id",
        "events": "SELECT occurred_at, actor_id, unit_id, entity_type, entity_id, action, "
        "request_id FROM audit_events WHERE entity_type <> 'framework' ORDER BY chain_position",
    }
    found = []
    for number in (1, 2):
        database = f"aegis_bench_seeded_{number}_{worker_suffix()}"
        engine = build_engine(fresh_database(database, tmp_path))
        try:
            generate(engine, TINY, key=_key(tmp_path), seed=SEED, today=date(2026, 11, 30))
            found.append({name: _rows(engine, sql) for name, sql in tables.items()})
        finally:
            engine.dispose()
            drop_database(database)
    assert found[0] == found[1]
    assert all(found[0].values())
