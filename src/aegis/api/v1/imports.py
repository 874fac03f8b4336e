"""Bulk imports of assets, risks, controls and tasks from CSV or XLSX files."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile

from aegis.core.errors import PayloadTooLarge, ValidationFailed
from aegis.domains.common.bounds import Id
from aegis.domains.common.uploads import UploadKind
from aegis.domains.imports import service
from aegis.domains.imports.errors import ImportRefused
from aegis.domains.imports.schemas import ImportKind, ImportReport
from aegis.http.deps import CurrentPrincipal, SessionDep, SettingsDep
from aegis.http.uploads import screen_file

router = APIRouter(prefix="/imports", tags=["imports"])
CHUNK = 1024 * 1024
MAPPING_HELP = (
    'JSON object naming the field each column fills, e.g. {"Asset name": "name", "Notes": null}'
    " (null ignores a column); columns left out are matched by their header"
)


def _read_upload(upload: UploadFile, limit: int) -> bytes:
    """Read an uploaded file in chunks, refusing it as soon as it passes the limit."""
    chunks: list[bytes] = []
    size = 0
    while chunk := upload.file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The file is larger than the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _mapping(text: str | None) -> dict[str, str | None] | None:
    if not text or not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValidationFailed("The mapping is not valid JSON", field="mapping") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise ValidationFailed(
            "The mapping must be an object of column headers to field names", field="mapping"
        )
    return value


@router.post("/{kind}", response_model=ImportReport)
def import_objects(
    kind: ImportKind,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or Excel workbook (.xlsx)")],
    mapping: Annotated[str | None, Form(max_length=20_000, description=MAPPING_HELP)] = None,
    unit_id: Annotated[Id | None, Form(description="Unit of new rows that name none")] = None,
    dry_run: Annotated[bool, Query(description="Only report what would change")] = False,
) -> ImportReport:
    """Create or update objects from a file, keyed by their reference; all or nothing.

    Headers are matched to fields by their label (as the list exports write them) or name.
    Choices are read as labels or codes, people as names or e-mail addresses, units by name,
    lists separated by ';'. An update changes only the columns the file has. With
    `dry_run=true` nothing is written and the report says what would happen; an import with
    any problem writes nothing and answers 422 listing every problem with its row and column.
    """
    screen_file(request, session, principal, file, UploadKind.IMPORT, unit_id)
    content = _read_upload(file, settings.max_upload_bytes)
    report = service.import_file(
        session=session,
        principal=principal,
        kind=kind,
        content=content,
        filename=(file.filename or "upload")[:200],
        mapping=_mapping(mapping),
        default_unit_id=unit_id,
        dry_run=dry_run,
        max_bytes=settings.max_upload_bytes,
        max_rows=settings.import_max_rows,
    )
    if not dry_run and not report.applied:
        raise ImportRefused(
            f"Nothing was imported: {len(report.errors)} problem(s) in {report.failed} row(s)",
            details=[problem.model_dump() for problem in report.errors],
        )
    return report
