"""Running an import in a test."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from aegis.core.authz import Principal
from aegis.domains.imports import service
from aegis.domains.imports.schemas import ImportKind, ImportReport

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_rows": 10_000}


def run_import(
    db: Any,
    principal: Principal,
    kind: str,
    content: bytes,
    *,
    dry_run: bool,
    filename: str = "file.csv",
    **options: Any,
) -> ImportReport:
    """Import (or check) a file as the principal."""
    return service.import_file(
        session=db,
        principal=principal,
        kind=ImportKind(kind),
        content=content,
        filename=filename,
        dry_run=dry_run,
        **{**LIMITS, **options},
    )


def count(db: Any, model: Any, *where: Any) -> int:
    """Rows of a model, optionally filtered."""
    return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def problems(report: ImportReport) -> list[tuple[int | None, str | None, str]]:
    """(row, column, message) of every problem of a report."""
    return [(p.row, p.column, p.message) for p in report.errors]
