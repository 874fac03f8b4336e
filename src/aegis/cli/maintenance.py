"""`aegis maintenance purge`: remove what is kept past its retention (run it daily)."""

from __future__ import annotations

import typer

from aegis.cli.context import settings, unit_of_work
from aegis.core.storage import LocalBlobStore
from aegis.domains.retention import service as retention

app = typer.Typer(help="Routine maintenance.", no_args_is_help=True)

LABELS = {
    "sessions": "Login sessions ended",
    "refresh_tokens": "Refresh tokens of those sessions",
    "sign_in_throttles": "Failed sign-in counts and locks",
    "quarantined_files": "Quarantined uploads",
}


@app.command("purge")
def purge(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Count what would be removed; remove nothing"
    ),
) -> None:
    """Remove ended sessions, old sign-in failures and quarantined uploads past retention.

    The days kept are the AEGIS_RETENTION_* settings; one audit event records the counts.
    The audit trail itself is never purged.
    """
    config = settings()
    policy = retention.RetentionPolicy.of(config)
    with unit_of_work() as session:
        report = retention.purge(session=session, policy=policy, dry_run=dry_run)
    store = LocalBlobStore(config.data_dir / "blobs", quarantine=config.data_dir / "quarantine")
    retention.delete_purged_files(store=store, report=report)  # once the purge is committed
    days = {
        "sessions": policy.sessions_days,
        "refresh_tokens": policy.sessions_days,
        "sign_in_throttles": policy.sign_in_throttle_days,
        "quarantined_files": policy.quarantine_days,
    }
    verb = "Would remove" if dry_run else "Removed"
    for kind, count in report.counts().items():
        typer.echo(f"{LABELS[kind]} (older than {days[kind]} days): {verb.lower()} {count}")
    if dry_run:
        typer.echo("Dry run: nothing was removed.")
    else:
        typer.echo(f"{verb} {sum(report.counts().values())} records; the audit trail is kept.")
