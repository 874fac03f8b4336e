"""Each command-line test gets an empty database of its own on the engine under test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from aegis.cli import context
from aegis.core.settings import get_settings
from tests.cli.console import Aegis, drop_database
from tests.databases import fresh_database, worker_suffix


def _reset_command_state() -> None:
    """Forget the settings and the engine the commands cached, closing its connections."""
    if context.engine.cache_info().currsize:
        context.engine().dispose()
    context.engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def aegis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aegis]:
    """`aegis` pointed (through DATABASE_URL) at an empty database used by this test only."""
    name = f"aegis_cli_{worker_suffix()}_{uuid4().hex[:12]}"
    url = fresh_database(name, tmp_path)
    monkeypatch.chdir(tmp_path)  # no `.env` of the working copy leaks in
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("AEGIS_ENV", "test")
    monkeypatch.setenv("AEGIS_DATA_DIR", str(tmp_path / "data"))
    _reset_command_state()
    runner = Aegis(url=url, data_dir=tmp_path / "data")
    try:
        yield runner
    finally:
        runner.close()
        _reset_command_state()
        drop_database(name)


@pytest.fixture
def migrated(aegis: Aegis) -> Aegis:
    """The test's database with the schema at head."""
    aegis.ok("db", "upgrade")
    return aegis


@pytest.fixture
def organisation(migrated: Aegis) -> Aegis:
    """Units Company > Division > Team created from the console."""
    migrated.ok("units", "create", "--name", "Company")
    migrated.ok("units", "create", "--name", "Division", "--parent", "Company")
    migrated.ok("units", "create", "--name", "Team", "--parent", "Division")
    return migrated
