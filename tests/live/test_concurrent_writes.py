"""Concurrent writers through the real server: every write succeeds, on every engine."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest

from aegis.core import migrations
from aegis.core.db import build_engine
from tests.conftest import PASSWORD, World, build_world
from tests.databases import fresh_database, worker_suffix
from tests.live_server import Server, running_server

CLIENTS = 20
WRITES_PER_CLIENT = 10


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, World]]:
    """`aegis run` on a fresh database holding the base organisation."""
    data_dir = tmp_path_factory.mktemp("aegis-live")
    url = fresh_database(f"aegis_live_{worker_suffix()}", data_dir)
    engine = build_engine(url)
    migrations.upgrade(engine)
    world = build_world(engine)
    engine.dispose()
    with running_server(url, data_dir, "--no-demo") as server:
        yield server, world


def _token(server: Server, email: str) -> str:
    response = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _create_risks(server: Server, token: str, unit_id: int, client: int) -> list[int]:
    statuses = []
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        for n in range(WRITES_PER_CLIENT):
            response = http.post(
                f"{server.url}/api/v1/risks",
                json={
                    "unit_id": unit_id,
                    "title": f"Concurrent risk {client}-{n}",
                    "category": "technical",
                    "status": "identified",
                    "inherent_likelihood": 1 + n % 5,
                    "inherent_impact": 1 + client % 5,
                },
            )
            statuses.append(response.status_code)
    return statuses


def test_twenty_concurrent_writers_all_succeed(live: tuple[Server, World]) -> None:
    server, world = live
    token = _token(server, "analyst@example.com")
    unit = world.units["division-a"]
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(lambda c: _create_risks(server, token, unit, c), range(CLIENTS)))
    statuses = [status for result in results for status in result]
    assert statuses == [201] * (CLIENTS * WRITES_PER_CLIENT)
    listed = httpx.get(
        f"{server.url}/api/v1/risks",
        params={"q": "Concurrent risk", "limit": 1},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert listed.json()["total"] == CLIENTS * WRITES_PER_CLIENT


def test_concurrent_edits_of_one_risk_all_saved(live: tuple[Server, World]) -> None:
    server, world = live
    token = _token(server, "analyst@example.com")
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(
        f"{server.url}/api/v1/risks",
        headers=headers,
        json={
            "unit_id": world.units["division-a"],
            "title": "Shared risk",
            "category": "technical",
            "status": "identified",
            "inherent_likelihood": 2,
            "inherent_impact": 2,
        },
        timeout=30,
    )
    risk_id = created.json()["id"]

    def edit(n: int) -> int:
        response = httpx.patch(
            f"{server.url}/api/v1/risks/{risk_id}",
            headers=headers,
            json={"description": f"edit {n}"},
            timeout=60,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(edit, range(CLIENTS * 2)))
    assert statuses == [200] * (CLIENTS * 2)
    history = httpx.get(
        f"{server.url}/api/v1/audit-events",
        params={"entity_type": "risk", "entity_id": risk_id, "limit": 1},
        headers={"Authorization": f"Bearer {_token(server, 'admin@example.com')}"},
        timeout=30,
    )
    assert history.json()["total"] == 1 + CLIENTS * 2


def test_concurrent_saves_of_one_version_keep_exactly_one(live: tuple[Server, World]) -> None:
    """Saves that all read version 1: one wins, every other is refused, none is lost silently."""
    server, world = live
    headers = {"Authorization": f"Bearer {_token(server, 'analyst@example.com')}"}
    created = httpx.post(
        f"{server.url}/api/v1/risks",
        headers=headers,
        json={
            "unit_id": world.units["division-a"],
            "title": "Contested risk",
            "category": "technical",
            "status": "identified",
            "inherent_likelihood": 2,
            "inherent_impact": 2,
        },
        timeout=30,
    ).json()
    url = f"{server.url}/api/v1/risks/{created['id']}"

    def save(n: int) -> int:
        response = httpx.patch(
            url,
            headers={**headers, "If-Match": '"1"'},
            json={"description": f"edit {n}"},
            timeout=60,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = sorted(pool.map(save, range(CLIENTS)))
    assert statuses == [200] + [409] * (CLIENTS - 1)
    stored = httpx.get(url, headers=headers, timeout=30).json()
    assert stored["version"] == 2
