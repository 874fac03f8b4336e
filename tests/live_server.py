"""Starting and stopping a real `aegis run` server on a free port, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# Settings a developer's shell may carry that would change the server under test.
CLEARED_VARIABLES = (
    "DATABASE_URL",
    "SECRET_KEY",
    "JWT_SECRET_KEY",
    "AUDIT_CHAIN_KEY",
    "CORS_ORIGINS",
    "REDIS_URL",
)
STARTUP_SECONDS = 180


@dataclass
class Server:
    """A running Aegis: its base URL, data directory and log file."""

    url: str
    data_dir: Path
    log: Path
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _command(command: str, args: tuple[str, ...]) -> list[str]:
    """An `aegis` command of the environment the tests run in."""
    script = Path(sys.executable).parent / "aegis"
    if script.is_file():
        return [str(script), command, *args]
    return [sys.executable, "-c", "from aegis.cli.app import main; main()", command, *args]


def _environment(
    database_url: str, data_dir: Path, port: int, extra: dict[str, str] | None = None
) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AEGIS_") and name not in CLEARED_VARIABLES
    }
    env.update(
        DATABASE_URL=database_url,
        AEGIS_DATA_DIR=str(data_dir),
        AEGIS_HOST="127.0.0.1",
        AEGIS_PORT=str(port),
        AEGIS_ENV="development",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server and everything it started (its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _ready(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def tail(log: Path, lines: int = 40) -> str:
    """The last lines of a server log."""
    if not log.is_file():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running_server(
    database_url: str,
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    command: str = "run",
) -> Iterator[Server]:
    """`aegis run` on this database until the block ends; fails the test if it never gets ready.

    `env` adds or overrides environment variables of the server (its settings); `command`
    "serve" starts the production server instead.
    """
    for _attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = data_dir / f"server-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603  (our own `aegis run`, no shell)
                _command(command, args),
                cwd=data_dir,
                env=_environment(database_url, data_dir, port, env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while process.poll() is None and time.monotonic() < deadline and not _ready(url):
            time.sleep(0.25)
        if process.poll() is None and _ready(url):
            break
        _stop(process)
        if "address already in use" not in tail(log).lower():
            pytest.fail(f"aegis run did not become ready at {url}:\n{tail(log)}")
    else:
        pytest.fail(f"no free port for aegis run:\n{tail(log)}")
    try:
        yield Server(url=url, data_dir=data_dir, log=log, process=process)
    finally:
        _stop(process)
