"""What every command needs: settings, an engine and a transaction boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from aegis.core import migrations
from aegis.core.db import build_engine, make_session_factory, transaction
from aegis.core.errors import AegisError
from aegis.core.settings import ConfigurationError, Settings, get_settings
from aegis.domains.notifications import service as notifications


def settings() -> Settings:
    """The checked settings, or a clear exit when they are unusable."""
    try:
        return get_settings()
    except ConfigurationError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc


@lru_cache
def engine() -> Engine:
    """The engine of the configured database."""
    return build_engine(settings().database_url)


def _send_notices(ids: list[int]) -> None:
    server = notifications.mail_server(settings())
    if ids and server.configured:
        notifications.deliver(factory=make_session_factory(engine()), server=server, ids=ids)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A session committed when the command succeeds; domain errors exit with a message.

    The security notices it wrote are e-mailed once it has committed (when a mail server is
    set); those the server does not take wait for `aegis notifications send`.
    """
    try:
        with (
            notifications.collecting() as written,
            transaction(make_session_factory(engine())) as session,
        ):
            yield session
        _send_notices(written.written)
    except AegisError as exc:
        typer.secho(f"Error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    except (OperationalError, ProgrammingError) as exc:
        if migrations.is_at_head(engine()):
            raise
        typer.secho(
            "Error: the database schema is missing or outdated; run `aegis db upgrade` first",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1) from exc
