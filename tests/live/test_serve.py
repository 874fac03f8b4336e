"""`aegis serve`: workers answering as one system, an old schema refused, a clean stop."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from aegis.core import migrations
from aegis.core.db import build_engine
from tests.conftest import PASSWORD, build_world
from tests.databases import fresh_database, worker_suffix
from tests.live_server import Server, _command, _environment, running_server

QUIET = {"AEGIS_RATE_LIMITS_ENABLED": "false"}


def _children(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid`, read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A fresh, migrated database with the test world, and its data directory."""
    data_dir = tmp_path_factory.mktemp("aegis-serve")
    url = fresh_database(f"aegis_serve_{worker_suffix()}", data_dir)
    engine = build_engine(url)
    migrations.upgrade(engine)
    build_world(engine)
    engine.dispose()
    return url, data_dir


@pytest.fixture(scope="module")
def served(database: tuple[str, Path]) -> Iterator[Server]:
    """`aegis serve` with two workers on that database."""
    url, data_dir = database
    with running_server(url, data_dir, "--workers", "2", env=QUIET, command="serve") as server:
        yield server


def test_two_worker_processes_serve_one_system(served: Server) -> None:
    assert len(_children(served.process.pid)) == 2
    login = httpx.post(
        f"{served.url}/api/v1/auth/login",
        json={"email": "analyst@example.com", "password": PASSWORD},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    answers = [  # a new connection each time, so that both workers take requests
        httpx.get(f"{served.url}/api/v1/auth/me", headers=headers, timeout=30) for _ in range(12)
    ]
    assert {answer.status_code for answer in answers} == {200}
    assert {answer.json()["email"] for answer in answers} == {"analyst@example.com"}
    assert "server" not in answers[0].headers  # the server does not announce itself


def test_a_terminated_server_finishes_and_exits_cleanly(database: tuple[str, Path]) -> None:
    url, data_dir = database
    with running_server(url, data_dir, "--workers", "2", env=QUIET, command="serve") as server:
        workers = _children(server.process.pid)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=60) == 0
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
        assert "Shutting down: Master" in server.log.read_text()


def test_an_outdated_schema_is_refused_before_serving(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    finished = subprocess.run(  # noqa: S603  (our own `aegis serve`, no shell)
        _command("serve", ()),
        cwd=tmp_path,
        env=_environment(url, tmp_path, 8999),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 1
    assert "run `aegis db upgrade` once" in finished.stderr
    assert (
        not (tmp_path / "empty.db").exists()
        or migrations.current_revision(build_engine(url)) is None
    )
