"""`aegis import`: create or update assets, risks, controls or tasks from a CSV or XLSX file."""

from __future__ import annotations

from pathlib import Path

import typer

from aegis.cli.context import settings, unit_of_work
from aegis.core.errors import ValidationFailed
from aegis.domains.imports import service
from aegis.domains.imports.schemas import ImportKind, ImportReport
from aegis.domains.units import service as units

WIDTHS = (6, 10, 16, 32)  # row, action, reference, title
ACTIONS = {"create": "create", "update": "update", "unchanged": "same", "error": "problem"}


def _read(path: Path, limit: int) -> bytes:
    """The file's bytes, read no further than one byte past the limit."""
    try:
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        typer.secho(f"Error: cannot read {path}: {exc.strerror}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc


def _mapping(pairs: list[str]) -> dict[str, str | None] | None:
    mapping: dict[str, str | None] = {}
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        if not sep or not header.strip():
            typer.secho(f"Error: --map takes 'Column header=field', not '{pair}'", err=True)
            raise typer.Exit(2)
        mapping[header.strip()] = field.strip() or None
    return mapping or None


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(report: ImportReport, show_unchanged: bool) -> None:
    """The plan as a table: one line per row that changes or has a problem."""
    headings = ("Row", "Action", "Reference", "Title")
    typer.echo("  ".join(h.ljust(w) for h, w in zip(headings, WIDTHS, strict=True)) + "  Changes")
    for row in report.rows:
        if row.action == "unchanged" and not show_unchanged:
            continue
        cells = (str(row.row), ACTIONS[row.action], row.ref or "(new)", row.title)
        line = "  ".join(_cut(c, w).ljust(w) for c, w in zip(cells, WIDTHS, strict=True))
        changes = "; ".join(f"{c.label}: {c.before or '—'} → {c.after or '—'}" for c in row.changes)
        typer.echo(f"{line}  {changes}".rstrip())


def _summary(report: ImportReport) -> str:
    counts = (
        f"{report.created} to create, {report.updated} to update, "
        f"{report.unchanged} unchanged, {report.failed} with problems"
    )
    if report.applied:
        return (
            f"Imported {report.total} rows: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )
    if report.errors:
        return f"Nothing was imported. {report.total} rows: {counts}"
    return f"Dry run, nothing was written. {report.total} rows: {counts}"


def import_command(
    kind: ImportKind = typer.Argument(..., help="assets, risks, controls or tasks"),
    file: Path = typer.Argument(..., help="CSV (UTF-8) or Excel workbook (.xlsx)"),
    acting: str = typer.Option(
        ..., "--as", help="E-mail of the user importing: their units and roles apply"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only show what would change"),
    unit: str | None = typer.Option(None, "--unit", help="Unit (id or name) of rows naming none"),
    map_: list[str] = typer.Option(
        [], "--map", help="'Column header=field' (repeatable; 'Header=' ignores a column)"
    ),
    show_unchanged: bool = typer.Option(False, "--all", help="Also list the unchanged rows"),
) -> None:
    """Create or update objects from a file, keyed by their reference; all or nothing."""
    limits = settings()
    content = _read(file, limits.max_upload_bytes)
    mapping = _mapping(map_)
    with unit_of_work() as session:
        principal = service.acting_user(session=session, email=acting)
        default_unit = units.resolve_unit_ref(session=session, ref=unit).id if unit else None
        try:
            report = service.import_file(
                session=session,
                principal=principal,
                kind=kind,
                content=content,
                filename=file.name,
                mapping=mapping,
                default_unit_id=default_unit,
                dry_run=dry_run,
                max_bytes=limits.max_upload_bytes,
                max_rows=limits.import_max_rows,
            )
        except ValidationFailed as exc:
            typer.secho(f"Error: {exc.message}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from exc
    _table(report, show_unchanged)
    for problem in report.errors:
        where = f"Row {problem.row}" if problem.row else "File"
        column = f", column “{problem.column}”" if problem.column else ""
        typer.secho(f"{where}{column}: {problem.message}", fg=typer.colors.RED, err=True)
    typer.echo(_summary(report))
    if report.errors:
        raise typer.Exit(1)
