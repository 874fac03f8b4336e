"""A real clamd for the upload tests: the project's signatures only, on a private socket."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def clamd_url() -> str:
    """clamd's address, started by scripts/start-clamd (installed first) unless it answers."""
    started = subprocess.run(  # noqa: S603
        [str(ROOT / "scripts" / "start-clamd")],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert started.returncode == 0, f"clamd could not be started: {started.stderr}"
    return "unix://" + started.stdout.strip().splitlines()[-1]
