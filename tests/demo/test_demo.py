"""`make run` preparation: a new database gets the demo; a second start keeps the data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from aegis.cli import context
from aegis.cli.run import prepare
from aegis.core.settings import Settings, get_settings
from aegis.demo import DEMO_PASSWORD
from aegis.main import create_app
from aegis.models import Assessment, Asset, Evidence, Risk, Task, Unit, User, asset_dependencies
from tests.databases import fresh_database, worker_suffix


@pytest.fixture
def demo_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = fresh_database(f"aegis_demo_{worker_suffix()}", tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("AEGIS_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    context.engine.cache_clear()
    yield url
    context.engine().dispose()
    get_settings.cache_clear()
    context.engine.cache_clear()


def _count(model) -> int:  # type: ignore[no-untyped-def]
    with context.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_first_start_seeds_a_realistic_demo_and_second_start_keeps_it(demo_database: str) -> None:
    summary = prepare(seed=True)
    assert summary is not None
    assert {role.split(",")[0] for _, role in summary.logins} >= {
        "Administrator",
        "Risk analyst",
        "Auditor (read-only)",
    }
    counts = {model.__name__: _count(model) for model in (Unit, User, Asset, Risk, Evidence, Task)}
    assert counts["Unit"] == 7
    assert counts["Asset"] >= 45 and counts["Risk"] >= 35
    assert counts["Evidence"] >= 5 and counts["Task"] >= 8
    assert _count(asset_dependencies) >= 20
    assert _count(Assessment) == 1

    with context.unit_of_work() as session:
        levels = set(session.scalars(select(Risk.inherent_level)))
        residual = session.scalar(select(func.count()).where(Risk.residual_score.is_not(None)))
    assert {"Low", "Medium", "High", "Critical"} <= levels
    assert residual and residual > 20

    again = prepare(seed=True)
    assert again is not None and again.logins == summary.logins
    assert {
        model.__name__: _count(model) for model in (Unit, User, Asset, Risk, Evidence, Task)
    } == counts


def test_printed_demo_logins_work_against_the_api(demo_database: str, tmp_path: Path) -> None:
    summary = prepare(seed=True)
    assert summary is not None
    app = create_app(Settings(env="test", database_url=demo_database, data_dir=tmp_path))
    with TestClient(app) as client:
        for email, _role in summary.logins:
            response = client.post(
                "/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 200, email
        token = client.post(
            "/api/v1/auth/login",
            json={"email": summary.logins[3][0], "password": DEMO_PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        # the retail analyst sees retail risks only
        risks = client.get("/api/v1/risks", params={"limit": 200}, headers=headers).json()
        units = {
            u["id"]: u["name"] for u in client.get("/api/v1/units", headers=headers).json()["items"]
        }
        assert risks["total"] > 0
        assert {r["unit_id"] for r in risks["items"]} <= set(units)
        assert set(units.values()) == {"Retail Division", "E-commerce Platform", "Store Operations"}
    app.state.engine.dispose()


def test_without_demo_an_empty_database_stays_empty(demo_database: str) -> None:
    assert prepare(seed=False) is None
    assert _count(Unit) == 0
