"""Running `aegis` commands in-process and checking what they committed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from aegis.cli.app import app
from aegis.core.db import build_engine
from aegis.core.errors import AuthenticationFailed
from aegis.core.settings import Settings
from aegis.domains.auth import service as auth_service
from aegis.main import create_app
from tests.databases import base_url

PASSWORD = "correct horse battery staple"


def drop_database(name: str) -> None:
    """Remove a test database from the server (nothing to do for SQLite files)."""
    server = base_url()
    if server is None:
        return
    url = make_url(server)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if url.get_backend_name() == "postgresql":
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    admin.dispose()


@dataclass
class Aegis:
    """Runs `aegis` commands against the test's database and looks at what they wrote."""

    url: str
    data_dir: Path
    runner: CliRunner = field(default_factory=CliRunner)
    _engine: Engine | None = None

    def __call__(self, *args: str, input: str | None = None) -> Result:
        """Run one command, as `aegis ARGS`, with `input` on its standard input."""
        return self.runner.invoke(app, list(args), input=input, prog_name="aegis")

    def ok(self, *args: str, input: str | None = None) -> Result:
        """Run a command that must succeed."""
        result = self(*args, input=input)
        assert result.exit_code == 0, (args, result.output)
        return result

    @property
    def engine(self) -> Engine:
        """An engine of our own, to check what the commands committed."""
        if self._engine is None:
            self._engine = build_engine(self.url)
        return self._engine

    def scalar(self, statement: Any) -> Any:
        """Run one query in a fresh session."""
        with Session(self.engine) as session:
            return session.scalar(statement)

    def count(self, model: Any, *where: Any) -> int:
        """The number of rows of a model, optionally filtered."""
        return int(self.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def tables(self) -> set[str]:
        """The tables the database has now."""
        return set(inspect(self.engine).get_table_names())

    def can_sign_in(self, email: str, password: str) -> bool:
        """Whether these credentials are accepted by the sign-in use case."""
        with Session(self.engine) as session:
            try:
                auth_service.authenticate(session, email, password)
            except AuthenticationFailed:
                return False
            return True

    @contextmanager
    def http(self) -> Iterator[TestClient]:
        """An HTTP client of the application serving the same database."""
        settings = Settings(env="test", database_url=self.url, data_dir=self.data_dir)
        with TestClient(create_app(settings, engine=self.engine)) as client:
            yield client

    def close(self) -> None:
        """Release our own connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def lines(result: Result) -> Sequence[str]:
    """The lines a command printed."""
    return result.output.splitlines()


def said(result: Result) -> str:
    """Everything a command printed (stdout and stderr) as one line, without box drawing."""
    return " ".join(result.output.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())


def replace_console_password(client: TestClient, email: str, new: str) -> None:
    """Sign in with the password the console set and choose `new`, as its user must first."""
    first = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    changed = client.post(
        "/api/v1/auth/password",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        json={"current_password": PASSWORD, "new_password": new},
    )
    assert changed.status_code == 204, changed.text
