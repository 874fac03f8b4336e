"""`aegis run`: migrate, load frameworks, seed the demo organisation when new, and serve."""

from __future__ import annotations

import typer
import uvicorn

from aegis.cli.context import engine, settings, unit_of_work
from aegis.core import migrations
from aegis.core.logging import configure_logging
from aegis.core.storage import LocalBlobStore
from aegis.demo import DEMO_PASSWORD, DemoSummary, has_data, seed_demo
from aegis.domains.frameworks import service as frameworks
from aegis.domains.units import service as units


def _print_welcome(url: str, summary: DemoSummary | None) -> None:
    typer.secho(f"\nAegis is running at {url}", fg=typer.colors.GREEN, bold=True)
    typer.echo(f"API documentation: {url}/api/docs")
    if summary is not None:
        typer.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
        width = max(len(email) for email, _ in summary.logins)
        for email, role in summary.logins:
            typer.echo(f"  {email:<{width}}  {role}")
    typer.echo("")


def run(
    demo: bool = typer.Option(True, help="Seed the demo organisation into a new database"),
    reload: bool = typer.Option(False, help="Restart on code changes (development)"),
) -> None:
    """Start Aegis: upgrade the schema, load shipped frameworks, seed demo data, serve."""
    config = settings()
    configure_logging(config.log_level, json=config.is_production)
    summary = prepare(seed=demo and not config.is_production)
    url = f"http://{config.host}:{config.port}"
    _print_welcome(url, summary)
    uvicorn.run(
        "aegis.main:create_app",
        factory=True,
        host=config.host,
        port=config.port,
        reload=reload,
        proxy_headers=False,  # X-Forwarded-* are read only from AEGIS_TRUSTED_PROXIES
        log_level=config.log_level.lower(),
        access_log=False,
    )


def prepare(*, seed: bool) -> DemoSummary | None:
    """Migrate, seed the demo into an empty database (when asked), load shipped frameworks."""
    config = settings()
    migrations.upgrade(engine())
    with unit_of_work() as session:
        if seed and not has_data(session):
            typer.echo("New database: creating the demo organisation (takes a few seconds)...")
            return seed_demo(session, store=LocalBlobStore(config.data_dir / "blobs"))
        root = units.root_unit_id(session=session)
        if root is not None:
            frameworks.load_shipped_frameworks(session=session, unit_id=root)
        return DemoSummary.existing(session) if seed else None
