"""`aegis serve`: the production server, gunicorn managing uvicorn worker processes."""

from __future__ import annotations

from typing import Any

import typer
from gunicorn.app.base import BaseApplication
from gunicorn.util import import_app
from uvicorn_worker import UvicornWorker

from aegis.cli.context import engine, settings
from aegis.core import migrations
from aegis.core.logging import configure_logging
from aegis.core.settings import Settings

WORKER_CLASS = "aegis.cli.serve.AegisWorker"
APPLICATION = "aegis.main:create_app()"


class AegisWorker(UvicornWorker):
    """A uvicorn worker that leaves client addresses to AEGIS_TRUSTED_PROXIES alone."""

    CONFIG_KWARGS: dict[str, Any] = {
        "loop": "auto",
        "http": "auto",
        "proxy_headers": False,  # X-Forwarded-* are read only from AEGIS_TRUSTED_PROXIES
        "server_header": False,
    }


class Server(BaseApplication):
    """Gunicorn configured from a dict; each worker builds its own application."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options to gunicorn's configuration."""
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        """Build the application inside the worker, after the fork."""
        return import_app(APPLICATION)  # by name, as `aegis run` does: the CLI is below main


def server_options(config: Settings, workers: int | None = None) -> dict[str, Any]:
    """Gunicorn's options for these settings."""
    return {
        "bind": [f"{config.host}:{config.port}"],
        "workers": workers or config.server_workers,
        "worker_class": WORKER_CLASS,
        "timeout": config.server_timeout_seconds,
        "graceful_timeout": config.server_graceful_timeout_seconds,
        "keepalive": config.server_keepalive_seconds,
        "max_requests": config.server_max_requests,
        "max_requests_jitter": config.server_max_requests // 10,
        "forwarded_allow_ips": "",  # client addresses come from AEGIS_TRUSTED_PROXIES only
        "proxy_allow_ips": "",
        "accesslog": None,  # Aegis logs each request itself, with its request id
        "errorlog": "-",
        "loglevel": config.log_level.lower(),
        "preload_app": False,
        "proc_name": "aegis",
    }


def serve(
    workers: int = typer.Option(
        0, min=0, max=64, help="Worker processes (0: AEGIS_SERVER_WORKERS, by default per core)"
    ),
) -> None:
    """Serve Aegis in production: several worker processes, no migrations, no demo data."""
    config = settings()
    configure_logging(config.log_level, json=config.is_production)
    now, head = migrations.current_revision(engine()), migrations.head_revision(engine())
    if now != head:
        typer.secho(
            f"The database schema is at {now or 'nothing (empty database)'}, this version needs "
            f"{head}: run `aegis db upgrade` once (from one place) before starting the servers.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1)
    engine().dispose()  # each worker opens its own connections after the fork
    options = server_options(config, workers or None)
    if options["workers"] > 1 and config.rate_limits_enabled and not config.redis_url:
        typer.secho(
            "Rate limits are counted per worker process: set REDIS_URL to share them.",
            fg=typer.colors.YELLOW,
            err=True,
        )
    typer.echo(
        f"Aegis serving on http://{config.host}:{config.port} with {options['workers']} workers"
    )
    Server(options).run()
