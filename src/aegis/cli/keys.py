"""`aegis keys`: key-encryption keys, rotation, and encryption of files stored before it."""

from __future__ import annotations

import typer
from sqlalchemy.orm import Session, sessionmaker

import aegis.models  # noqa: F401  (every sealed column is declared once the models are loaded)
from aegis.cli.context import engine, settings
from aegis.core import existing_files, key_rotation
from aegis.core.db import Base, make_session_factory
from aegis.core.encryption import KeyMissing, Keyring, keyring_from
from aegis.core.storage import LocalBlobStore

app = typer.Typer(help="Encryption keys of data at rest.", no_args_is_help=True)
BATCH = typer.Option(100, "--batch-size", min=1, max=10_000, help="Rows per transaction")


def _keyring() -> Keyring:
    try:
        return keyring_from(settings().key_encryption_keys)
    except KeyMissing as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc


def _factory() -> sessionmaker[Session]:
    return make_session_factory(engine())


def _store() -> LocalBlobStore:
    return LocalBlobStore(settings().data_dir / "blobs")


def _failures(failed: list[str]) -> None:
    for line in failed:
        typer.secho(f"  not done: {line}", fg=typer.colors.RED, err=True)


def _usage(factory: sessionmaker[Session], keyring: Keyring) -> None:
    """Say how many values each key seals, and which keys may now be removed."""
    counts = key_rotation.keys_in_use(factory, Base.metadata, keyring)
    for key_id in keyring.keys:
        note = " (current)" if key_id == keyring.current_id else ""
        if key_id != keyring.current_id and counts[key_id] == 0:
            note = " (seals nothing any more: it may be removed, its backup kept)"
        typer.echo(f"Key {key_id}: {counts[key_id]} sealed values{note}")
    if counts["other"]:
        typer.secho(
            f"{counts['other']} sealed values name a key that is not configured",
            fg=typer.colors.RED,
            err=True,
        )


@app.command("status")
def status() -> None:
    """Show the keys, how many values each seals and how many files are not encrypted."""
    keyring, factory = _keyring(), _factory()
    _usage(factory, keyring)
    for files in existing_files.file_tables(Base.metadata):
        with factory.begin() as session:
            plain = existing_files.count_plain(session, files)
        typer.echo(f"{files.table.name}: {plain} files not encrypted")


@app.command("rotate")
def rotate(batch_size: int = BATCH) -> None:
    """Seal every secret and wrap every file key again with the current key (files untouched).

    Safe to stop and run again; a value already sealed with the current key is left as it is.
    """
    keyring, factory = _keyring(), _factory()
    typer.echo(f"Current key: {keyring.current_id}")
    reports = key_rotation.rotate(factory, Base.metadata, keyring, batch_size=batch_size)
    for report in reports:
        typer.echo(
            f"{report.name}: {report.resealed} sealed again, "
            f"{report.current} now sealed with {keyring.current_id}"
        )
        _failures(report.failed)
    _usage(factory, keyring)
    if not key_rotation.nothing_failed(reports):
        raise typer.Exit(1)


def _migrate(encrypt: bool, batch_size: int) -> None:
    keyring, factory = _keyring(), _factory()
    try:
        reports = existing_files.migrate(
            factory, _store(), Base.metadata, keyring, encrypt=encrypt, batch_size=batch_size
        )
    except existing_files.AlreadyRunning as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    done = "encrypted" if encrypt else "decrypted"
    for report in reports:
        typer.echo(
            f"{report.table}: {report.converted} files {done}, {report.already} were already, "
            f"{len(report.failed)} not done"
        )
        _failures(report.failed)
    if any(report.failed for report in reports):
        raise typer.Exit(1)


@app.command("encrypt-existing")
def encrypt_existing(batch_size: int = BATCH) -> None:
    """Encrypt the files stored before encryption, one at a time; safe to stop and run again."""
    _migrate(True, batch_size)


@app.command("decrypt-existing")
def decrypt_existing(batch_size: int = BATCH) -> None:
    """Store every encrypted file as plain again (before downgrading below revision 0015)."""
    _migrate(False, batch_size)
