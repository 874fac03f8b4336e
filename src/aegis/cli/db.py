"""`aegis db`: upgrade, downgrade and show the schema revision."""

from __future__ import annotations

import typer

from aegis.cli.context import engine
from aegis.core import migrations

app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Upgrade the schema (to the newest revision by default)."""
    migrations.upgrade(engine(), revision)
    typer.echo(f"Database at revision {migrations.current_revision(engine())}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'")) -> None:
    """Downgrade the schema to an earlier revision."""
    migrations.downgrade(engine(), revision)
    typer.echo(f"Database at revision {migrations.current_revision(engine()) or 'base'}")


@app.command()
def current() -> None:
    """Show the database's revision and the newest one."""
    now, head = migrations.current_revision(engine()), migrations.head_revision(engine())
    typer.echo(f"current: {now or 'base (empty)'}\nhead:    {head}")
    if now != head:
        raise typer.Exit(1)
