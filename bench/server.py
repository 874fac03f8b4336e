"""Starting a real Aegis server on a free loopback port, and reading its memory use."""

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

STARTUP_SECONDS = 300
MODES = ("run", "serve")  # `aegis run --no-demo`: one process; `aegis serve`: gunicorn workers


class ServerFailed(RuntimeError):
    """Raised when the server ends or never answers /readyz."""


@dataclass
class Server:
    """A running server: its mode, base URL, process and log file."""

    mode: str
    workers: int
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _command(mode: str, workers: int) -> list[str]:
    script = Path(sys.executable).parent / "aegis"
    base = [str(script)] if script.is_file() else [sys.executable, "-m", "aegis"]
    if mode == "run":
        return [*base, "run", "--no-demo"]
    return [*base, "serve", "--workers", str(workers)]


def _ready(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/readyz", timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log.is_file() else ""


@contextmanager
def running(mode: str, env: dict[str, str], log_dir: Path, *, workers: int = 1) -> Iterator[Server]:
    """The server of `mode` with `env` (its settings) until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"server-{mode}-{port}.log"
    settings = {**env, "AEGIS_HOST": "127.0.0.1", "AEGIS_PORT": str(port), "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603  # nosec B603 # our own `aegis`, no shell
            _command(mode, workers),
            env=settings,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _ready(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise ServerFailed(f"aegis {mode} did not become ready at {url}:\n{_tail(log)}")
            time.sleep(0.5)
        yield Server(mode, workers if mode == "serve" else 1, url, process, log)
    finally:
        _stop(process)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.extend(int(child) for child in task.read_text().split())
    return found


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory of a process and its descendants together, in MiB (Linux)."""
    total_kb, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            stack.extend(_children(current))
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024
