"""`aegis frameworks`: load, import and list frameworks and mappings from the console."""

from __future__ import annotations

from pathlib import Path

import typer

from aegis.cli.context import unit_of_work
from aegis.core.errors import ValidationFailed
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.frameworks import service
from aegis.domains.frameworks.schemas import MAX_IMPORT_BYTES, FrameworkQuery, ImportFormat
from aegis.domains.units import service as units

app = typer.Typer(help="Frameworks, requirements and mappings.", no_args_is_help=True)


def _read(path: Path) -> bytes:
    """The file's bytes, read no further than one byte past the import limit."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        typer.secho(f"Error: cannot read {path}: {exc.strerror}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc


def _show_problems(exc: ValidationFailed) -> None:
    for problem in exc.details or []:
        if isinstance(problem, dict) and "where" in problem:
            typer.secho(f"  {problem['where']}: {problem['message']}", err=True)


@app.command("import")
def import_framework(
    file: Path = typer.Argument(..., help="OSCAL catalog (.json) or requirements CSV"),
    format: ImportFormat | None = typer.Option(
        None, "--format", help="oscal or csv: refuse the file unless it is (default: detect)"
    ),
    unit: str | None = typer.Option(None, "--unit", help="Owning unit id or name (default: root)"),
    name: str | None = typer.Option(None, "--name", help="Framework name (required for CSV)"),
    key: str | None = typer.Option(None, "--key", help="Framework key (required for CSV)"),
    version: str | None = typer.Option(None, "--version", help="Version (required for CSV)"),
) -> None:
    """Import a framework from an OSCAL catalog or a CSV with columns id,parent,title,text."""
    if file.suffix.lower() == ".csv" and not (name and key and version):
        typer.secho("Error: a CSV import needs --name, --key and --version", err=True)
        raise typer.Exit(2)
    content = _read(file)
    with unit_of_work() as session:
        owner = units.resolve_unit_ref(session=session, ref=unit)
        try:
            framework = service.import_file(
                session=session,
                principal=None,
                unit_id=owner.id,
                content=content,
                filename=file.name,
                format=format,
                key=key,
                name=name,
                version=version,
            )
        except ValidationFailed as exc:
            _show_problems(exc)
            raise
    typer.echo(
        f"Imported framework {framework.id} '{framework.key}' version {framework.version} "
        f"with {framework.requirement_count} requirements"
    )


@app.command("reimport")
def reimport_framework(
    framework_id: int = typer.Argument(..., help="Id of the framework to update"),
    file: Path = typer.Argument(..., help="A new edition of its OSCAL catalog or CSV"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only print what would change"),
) -> None:
    """Update a framework in place from its file; requirements still in use are kept."""
    content = _read(file)
    with unit_of_work() as session:
        update = service.preview_update if dry_run else service.update_from_file
        try:
            diff = update(
                session=session,
                principal=None,
                framework_id=framework_id,
                content=content,
                filename=file.name,
            )
        except ValidationFailed as exc:
            _show_problems(exc)
            raise
    for title, entries in (
        ("Added", diff.added),
        ("Changed", diff.changed),
        ("Removed", diff.removed),
        ("Kept (still in use)", diff.kept),
    ):
        for entry in entries:
            detail = ", ".join(entry.changes) or (entry.usage.summary if entry.usage else "")
            typer.echo(f"{title}\t{entry.ref_id}\t{detail}")
    verb = "Would change" if dry_run else "Changed"
    typer.echo(
        f"{verb}: {len(diff.added)} added, {len(diff.changed)} changed, "
        f"{len(diff.removed)} removed, {len(diff.kept)} kept in use"
    )


@app.command("load-shipped")
def load_shipped(
    unit: str | None = typer.Option(None, "--unit", help="Owning unit id or name (default: root)"),
) -> None:
    """Load the frameworks shipped with Aegis (NIST CSF 2.0, NIST SP 800-53) if missing."""
    with unit_of_work() as session:
        owner = units.resolve_unit_ref(session=session, ref=unit)
        loaded = service.load_shipped_frameworks(session=session, unit_id=owner.id)
    for framework in loaded:
        typer.echo(
            f"{framework.id}\t{framework.key}\t{framework.version}\t"
            f"{framework.requirement_count} requirements"
        )


@app.command("list")
def list_frameworks() -> None:
    """Print every framework: id, key, version, requirement count and name."""
    offset = 0
    with unit_of_work() as session:
        while True:
            query = FrameworkQuery(limit=MAX_LIMIT, offset=offset, sort="key")
            page = service.list_frameworks(session=session, principal=None, query=query)
            for f in page.items:
                typer.echo(f"{f.id}\t{f.key}\t{f.version}\t{f.requirement_count}\t{f.name}")
            offset += MAX_LIMIT
            if offset >= page.total:
                break


@app.command("import-mappings")
def import_mappings(
    file: Path = typer.Argument(
        ..., help="CSV: source_framework,source_id,relationship,target_framework,target_id"
    ),
) -> None:
    """Create or update requirement mappings from a CSV file."""
    content = _read(file)
    with unit_of_work() as session:
        try:
            result = service.import_mappings(session=session, principal=None, content=content)
        except ValidationFailed as exc:
            _show_problems(exc)
            raise
    typer.echo(
        f"Mappings: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged"
    )
