"""`aegis notifications send|list`: the outbox of security notices."""

from __future__ import annotations

import typer

from aegis.cli.context import engine, settings, unit_of_work
from aegis.core.db import make_session_factory, mark_reads_only
from aegis.domains.notifications import service as notifications

app = typer.Typer(help="Security notices to users (e-mailed through SMTP).", no_args_is_help=True)
NOT_CONFIGURED = 2
SOME_FAILED = 1


@app.command("send")
def send() -> None:
    """Send every notice still waiting (for cron); exit 1 when some could not be sent."""
    server = notifications.mail_server(settings())
    if not server.configured:
        typer.secho(
            "No mail server: set SMTP_SERVER (and EMAIL_FROM). Notices wait in the outbox "
            "and show in My account.",
            fg=typer.colors.YELLOW,
            err=True,
        )
        raise typer.Exit(NOT_CONFIGURED)
    with unit_of_work() as session:
        mark_reads_only(session)
        if not notifications.list_unsent(session=session, limit=1):
            typer.echo("No notice is waiting.")
            return
    total = notifications.Delivery()
    while True:
        done = notifications.deliver(factory=make_session_factory(engine()), server=server)
        total.sent, total.failed = total.sent + done.sent, total.failed + done.failed
        if done.failed or not done.sent:
            break
    typer.echo(f"{total.sent} sent, {total.failed} not sent.")
    if total.failed:
        typer.secho("See `aegis notifications list` for the errors.", err=True)
        raise typer.Exit(SOME_FAILED)


@app.command("list")
def list_unsent(
    limit: int = typer.Option(200, "--limit", min=1, max=10_000, help="Notices shown at most"),
) -> None:
    """Notices not sent yet (pending or failed), oldest first, with the last error."""
    with unit_of_work() as session:
        mark_reads_only(session)
        items = notifications.list_unsent(session=session, limit=limit)
    if not items:
        typer.echo("No notice is waiting.")
        return
    for item in items:
        error = f" | {item.last_error}" if item.last_error else ""
        typer.echo(
            f"#{item.id} {item.created_at:%Y-%m-%d %H:%M} UTC user {item.user_id} "
            f"{item.status} ({item.attempts} attempts) {item.subject}{error}"
        )
