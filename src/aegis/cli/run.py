"""`aegis run`: migrate, load frameworks, seed the demo organisation when new, and serve."""

from __future__ import annotations

import typer
import uvicorn

from aegis.cli.context import engine, settings, unit_of_work
from aegis.core import migrations
from aegis.core.logging import configure_logging
from aegis.demo import DEMO_PASSWORD, DemoSummary, has_data, seed_demo


def _print_welcome(url: str, summary: DemoSummary | None) -> None:
    typer.secho(f"\nAegis is running at {url}", fg=typer.colors.GREEN, bold=True)
    typer.echo(f"API documentation: {url}/api/docs")
    if summary is not None:
        typer.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
        for email, role in summary.logins:
            typer.echo(f"  {role:<24} {email}")
    typer.echo("")


def run(
    demo: bool = typer.Option(True, help="Seed the demo organisation into a new database"),
    reload: bool = typer.Option(False, help="Restart on code changes (development)"),
) -> None:
    """Start Aegis: upgrade the schema, load shipped frameworks, seed demo data, serve."""
    config = settings()
    configure_logging(config.log_level, json=config.is_production)
    migrations.upgrade(engine())
    summary = None
    with unit_of_work() as session:
        if not has_data(session):
            if demo and not config.is_production:
                summary = seed_demo(session)
            elif demo:
                typer.echo("Production: no demo data; create the first admin with `aegis users create`")
        else:
            summary = None
    if summary is None and demo and not config.is_production:
        with unit_of_work() as session:
            summary = DemoSummary.existing(session)
    url = f"http://{config.host}:{config.port}"
    _print_welcome(url, summary)
    uvicorn.run(
        "aegis.main:create_app",
        factory=True,
        host=config.host,
        port=config.port,
        reload=reload,
        proxy_headers=True,
        log_level=config.log_level.lower(),
        access_log=False,
    )
