"""`aegis risks`: upkeep of the risk register from the console (or a daily timer)."""

from __future__ import annotations

from datetime import date

import typer

from aegis.cli.context import unit_of_work
from aegis.domains.risks import service as risks

app = typer.Typer(help="Risk register upkeep.", no_args_is_help=True)


@app.command("expire-acceptances")
def expire_acceptances(
    today: str | None = typer.Option(
        None, "--today", help="Day to compare expiry days with (YYYY-MM-DD); default: today UTC"
    ),
) -> None:
    """Send back to review every accepted risk whose acceptance ran out (run it daily)."""
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError as exc:
        typer.secho("Error: --today must be a date like 2026-12-31", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
    with unit_of_work() as session:
        count = risks.expire_acceptances(session=session, today=day)
    noun = "risk" if count == 1 else "risks"
    typer.echo(f"{count} {noun} went back to review: acceptance expired")
