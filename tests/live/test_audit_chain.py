"""Concurrent writers on two `aegis run` replicas of one database keep the audit chain whole."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest

from aegis.core import migrations
from aegis.core.db import build_engine
from tests.conftest import PASSWORD, World, build_world
from tests.databases import fresh_database, worker_suffix
from tests.live_server import CLEARED_VARIABLES, Server, running_server

CLIENTS = 8
WRITES_PER_CLIENT = 6
PDF = b"%PDF-1.7\n% audit chain test\n"


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, Server, World, str]]:
    """Two servers on one fresh database and one data directory (one chain key)."""
    data_dir = tmp_path_factory.mktemp("aegis-audit-chain")
    url = fresh_database(f"aegis_audit_chain_live_{worker_suffix()}", data_dir)
    engine = build_engine(url)
    migrations.upgrade(engine)
    world = build_world(engine)
    engine.dispose()
    with (
        running_server(url, data_dir, "--no-demo") as one,
        running_server(url, data_dir, "--no-demo") as two,
    ):
        yield one, two, world, url


def _token(server: Server, email: str) -> str:
    response = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=60
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _work(server: Server, unit_id: int, client: int) -> list[int]:
    """Sign in, fail a sign-in, create and edit risks, upload and download evidence."""
    statuses = []
    failed = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"email": f"nobody-{client}@example.com", "password": "wrong password here"},
        timeout=60,
    )
    statuses.append(failed.status_code)
    headers = {"Authorization": f"Bearer {_token(server, 'analyst@example.com')}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        for n in range(WRITES_PER_CLIENT):
            created = http.post(
                "/api/v1/risks",
                json={
                    "unit_id": unit_id,
                    "title": f"Chained risk {client}-{n}",
                    "category": "technical",
                    "status": "identified",
                    "inherent_likelihood": 1 + n % 5,
                    "inherent_impact": 1 + client % 5,
                },
            )
            statuses.append(created.status_code)
            edited = http.patch(
                f"/api/v1/risks/{created.json()['id']}", json={"description": f"edit {n}"}
            )
            statuses.append(edited.status_code)
        uploaded = http.post(
            "/api/v1/evidence",
            files={"file": (f"report-{client}.pdf", PDF, "application/pdf")},
            data={"title": f"Report {client}", "unit_id": str(unit_id)},
        )
        statuses.append(uploaded.status_code)
        download = http.get(f"/api/v1/evidence/{uploaded.json()['id']}/download")
        statuses.append(download.status_code)
    return statuses


def _cli_verify(url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AEGIS_") and name not in CLEARED_VARIABLES
    }
    env.update(DATABASE_URL=url, AEGIS_DATA_DIR=str(data_dir), AEGIS_ENV="development")
    script = Path(sys.executable).parent / "aegis"
    return subprocess.run(  # noqa: S603  (our own command, no shell)
        [str(script), "audit", "verify", "--batch-size", "7"],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_concurrent_writers_on_two_replicas_keep_the_chain_whole(
    replicas: tuple[Server, Server, World, str],
) -> None:
    one, two, world, url = replicas
    unit = world.units["division-a"]
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(lambda c: _work(one if c % 2 else two, unit, c), range(CLIENTS)))
    expected = [401] + [201, 200] * WRITES_PER_CLIENT + [201, 200]
    assert results == [expected] * CLIENTS

    admin = {"Authorization": f"Bearer {_token(one, 'admin@example.com')}"}
    report = httpx.get(f"{two.url}/api/v1/audit-events/verify", headers=admin, timeout=300)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["intact"] is True, body["summary"]
    trail = httpx.get(
        f"{one.url}/api/v1/audit-events", params={"limit": 1}, headers=admin, timeout=60
    ).json()
    # every event of the whole organisation is in the chain, each exactly once
    assert body["checked"] == body["last_position"] == trail["total"]
    per_client = 1 + 1 + 2 * WRITES_PER_CLIENT + 2  # failure, sign-in, saves, upload, download
    assert trail["total"] >= CLIENTS * per_client + 1

    verified = _cli_verify(url, one.data_dir)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "The audit trail is intact" in verified.stdout
    assert body["last_seal"] in verified.stdout  # nothing was recorded in between
