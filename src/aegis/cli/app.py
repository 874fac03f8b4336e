"""The `aegis` command."""

from __future__ import annotations

import typer

from aegis.cli import (
    audit,
    db,
    frameworks,
    imports,
    keys,
    maintenance,
    notifications,
    risks,
    run,
    serve,
    units,
    users,
)

app = typer.Typer(help="Aegis: cybersecurity risk management.", no_args_is_help=True)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(users.roles_app, name="roles")
app.add_typer(units.app, name="units")
app.add_typer(frameworks.app, name="frameworks")
app.add_typer(risks.app, name="risks")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(notifications.app, name="notifications")
app.add_typer(maintenance.app, name="maintenance")
app.command("run")(run.run)
app.command("serve")(serve.serve)
app.command("import")(imports.import_command)


def main() -> None:
    """Entry point of the `aegis` script."""
    app()
