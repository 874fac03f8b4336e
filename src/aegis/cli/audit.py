"""`aegis audit verify`: check that no event of the audit trail was changed."""

from __future__ import annotations

import typer

from aegis.cli.context import unit_of_work
from aegis.core.db import mark_reads_only
from aegis.domains.audit.verify import BATCH_SIZE, verify_chain

app = typer.Typer(help="The audit trail.", no_args_is_help=True)
BROKEN = 1
OTHER_KEY = 3


@app.command("verify")
def verify(
    batch_size: int = typer.Option(
        BATCH_SIZE, "--batch-size", min=1, max=100_000, help="Events read at a time"
    ),
) -> None:
    """Check every event's seal, oldest first; name the first broken link and exit 1."""
    with unit_of_work() as session:
        mark_reads_only(session)
        report = verify_chain(session=session, principal=None, batch_size=batch_size)
    if report.broken is None:
        typer.secho(report.summary, fg=typer.colors.GREEN)
        typer.echo(
            f"Last seal (position {report.last_position}), to compare with a later check: "
            f"{report.last_seal}"
        )
        return
    broken = report.broken
    typer.secho(report.summary, fg=typer.colors.RED, err=True)
    where = f"event #{broken.event_id}" if broken.event_id is not None else "the end of the chain"
    when = f" recorded {broken.occurred_at:%Y-%m-%d %H:%M:%S} UTC" if broken.occurred_at else ""
    typer.echo(
        f"First broken link: {where}{when}, position {broken.position}: "
        f"{broken.problem_label}. {report.checked} events before it are intact.",
        err=True,
    )
    raise typer.Exit(OTHER_KEY if broken.problem == "other_key" else BROKEN)
