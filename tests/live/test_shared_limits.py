"""Two `aegis run` replicas sharing one database and one Redis share locks and rate limits."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx2 as httpx
import pytest
import redis

from aegis.core import migrations
from aegis.core.db import build_engine
from tests.conftest import PASSWORD, World, build_world
from tests.databases import fresh_database, worker_suffix
from tests.live_server import Server, running_server

REDIS_URL = "redis://127.0.0.1:6379/0"
READS = 8
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, Server, World]]:
    """Two servers on one fresh database, counting in the real Redis under a prefix of their own."""
    data_dir = tmp_path_factory.mktemp("aegis-replicas")
    url = fresh_database(f"aegis_replicas_{worker_suffix()}", data_dir)
    engine = build_engine(url)
    migrations.upgrade(engine)
    world = build_world(engine)
    engine.dispose()
    prefix = f"aegis-test-{uuid.uuid4().hex}"
    env = {"REDIS_URL": REDIS_URL, "AEGIS_RATE_LIMIT_PREFIX": prefix}
    env["AEGIS_RATE_LIMIT_READ"] = f"{READS}/minute"
    try:
        with (
            running_server(url, data_dir, "--no-demo", env=env) as one,
            running_server(url, data_dir, "--no-demo", env=env) as two,
        ):
            yield one, two, world
    finally:
        server = redis.Redis.from_url(REDIS_URL)
        keys = list(server.scan_iter(f"{prefix}:*"))
        if keys:
            server.delete(*keys)
        server.close()


def _login(server: Server, email: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"email": email, "password": password},
        timeout=30,
    )


def test_failures_on_either_replica_lock_the_account_on_both(
    replicas: tuple[Server, Server, World],
) -> None:
    one, two, _world = replicas
    email = "readonly_a@example.com"
    codes = [_login(server, email, "wrong guess number").status_code for server in (one, two) * 2]
    assert codes == [401] * 4
    assert _login(one, email, "the fifth wrong guess").status_code == 429
    refused = _login(two, email, PASSWORD)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "sign_in_locked"
    assert int(refused.headers["retry-after"]) > 0
    logged = ANSI.sub("", one.log.read_text() + two.log.read_text())
    locks = [line for line in logged.splitlines() if re.search(r"\block\b", line)]
    assert locks and f"user={email}" in locks[0] and "client_address=127.0.0.1" in locks[0]
    assert "wrong guess" not in logged  # passwords are never logged


def test_rate_limits_count_across_replicas(replicas: tuple[Server, Server, World]) -> None:
    one, two, _world = replicas
    token = _login(one, "analyst@example.com", PASSWORD).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    codes = [
        httpx.get(f"{server.url}/api/v1/risks", headers=headers, timeout=30).status_code
        for server in (one, two) * (READS // 2)
    ]
    assert codes == [200] * READS
    for server in (one, two):
        refused = httpx.get(f"{server.url}/api/v1/risks", headers=headers, timeout=30)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 61
