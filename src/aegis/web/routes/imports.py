"""Bulk import pages: upload a file, choose the field of each column, check it, import it."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.core.errors import (
    PayloadTooLarge,
    PermissionDenied,
    ServiceUnavailable,
    ValidationFailed,
)
from aegis.domains.common.uploads import UploadKind
from aegis.domains.imports import service
from aegis.domains.imports.schemas import ImportKind, ImportReport, SheetPreview
from aegis.http.deps import SessionDep
from aegis.http.uploads import screen_file
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.kept_uploads import KeptUpload, KeptUploads, kept_uploads
from aegis.web.templating import render

router = APIRouter(prefix="/imports")
CHUNK = 1024 * 1024
SHOWN_ROWS = 500  # rows of a plan listed on the page; the counts cover them all
LARGE_FILE = 300  # rows from which the page says that checking takes a while
NAMES = {
    ImportKind.ASSETS: ("Assets", "asset", "/assets"),
    ImportKind.RISKS: ("Risks", "risk", "/risks"),
    ImportKind.CONTROLS: ("Controls", "control", "/controls"),
    ImportKind.TASKS: ("Tasks", "task", "/tasks"),
}


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    template: str,
    kind: ImportKind,
    status_code: int = 200,
    **context: Any,
) -> Response:
    title, one, back = NAMES[kind]
    return render(
        request,
        f"imports/{template}",
        principal,
        status_code=status_code,
        kind=kind.value,
        title=title,
        one=one,
        back=back,
        units=lookups.writable_units(session, principal),
        large_file=LARGE_FILE,
        **context,
    )


def _upload_page(
    request: Request,
    session: Session,
    principal: Principal,
    kind: ImportKind,
    error: str = "",
    status_code: int = 200,
    unit_id: str = "",
) -> Response:
    errors = {"file": error} if error else {}
    return _page(
        request,
        session,
        principal,
        "upload.html",
        kind,
        status_code,
        errors=errors,
        unit_id=unit_id,
        fields=service.importable_fields(kind),
    )


@router.get("/{kind}")
def upload_page(
    kind: ImportKind, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to choose a CSV or XLSX file of objects to import."""
    principal.require_any_write()
    return _upload_page(request, session, principal, kind)


async def _read_upload(upload: UploadFile, limit: int) -> bytes:
    """The uploaded file, refused as soon as it passes the limit."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The file is larger than the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _limits(request: Request) -> tuple[int, int]:
    """The largest file, in bytes and in rows, an import takes."""
    settings = request.app.state.settings
    return settings.max_upload_bytes, settings.import_max_rows


def _unit(form: FormData) -> int | None:
    value = form.get("unit_id")
    return int(value) if isinstance(value, str) and value.isdigit() else None


@router.post("/{kind}", dependencies=[CsrfChecked])
async def upload(
    kind: ImportKind, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Keep the uploaded file and show its columns with the field each one is guessed to fill."""
    principal.require_any_write()
    form = await request.form()
    unit = str(form.get("unit_id") or "")
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _upload_page(request, session, principal, kind, "Choose a file", 422, unit)
    store = kept_uploads(request)
    try:
        screen_file(request, session, principal, file, UploadKind.IMPORT, _unit(form))
        content = await _read_upload(file, store.max_bytes)
        max_bytes, max_rows = _limits(request)
        preview = service.preview_file(
            kind=kind,
            content=content,
            filename=file.filename[:200],
            max_bytes=max_bytes,
            max_rows=max_rows,
        )
    except PayloadTooLarge as exc:
        return _upload_page(request, session, principal, kind, exc.message, 413, unit)
    except ValidationFailed as exc:
        return _upload_page(request, session, principal, kind, exc.message, 422, unit)
    except ServiceUnavailable as exc:
        return _upload_page(request, session, principal, kind, exc.message, 503, unit)
    kept = store.keep(content, file.filename, principal.user_id)
    return _columns_page(request, session, principal, kind, kept, preview, unit)


def _columns_page(
    request: Request,
    session: Session,
    principal: Principal,
    kind: ImportKind,
    kept: KeptUpload,
    preview: SheetPreview,
    unit: str,
    error: str = "",
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        session,
        principal,
        "columns.html",
        kind,
        status_code,
        kept=kept,
        preview=preview,
        unit_id=unit,
        error=error,
    )


def _kept(request: Request, form: FormData, principal: Principal) -> tuple[KeptUploads, KeptUpload]:
    store = kept_uploads(request)
    token = form.get("upload_token")
    kept = store.load(token, principal.user_id) if isinstance(token, str) and token else None
    if kept is None:
        raise ValidationFailed(
            "The file you chose is no longer kept (after an hour); choose it again", field="file"
        )
    return store, kept


def _mapping(form: FormData, preview: SheetPreview) -> dict[str, str | None]:
    """The field chosen for each column of the file ('' ignores the column)."""
    mapping: dict[str, str | None] = {}
    for index, column in enumerate(preview.columns):
        chosen = form.get(f"column-{index}")
        mapping[column.header] = chosen if isinstance(chosen, str) and chosen else None
    return mapping


async def _run(
    kind: ImportKind, request: Request, session: Session, principal: Principal, *, dry_run: bool
) -> Response:
    principal.require_any_write()
    form = await request.form()
    try:
        store, kept = _kept(request, form, principal)
    except ValidationFailed as exc:
        return _upload_page(request, session, principal, kind, exc.message, 422)
    max_bytes, max_rows = _limits(request)
    preview = service.preview_file(
        kind=kind,
        content=kept.content,
        filename=kept.filename,
        max_bytes=max_bytes,
        max_rows=max_rows,
    )
    mapping = _mapping(form, preview)
    unit = str(form.get("unit_id") or "")
    started = time.perf_counter()
    try:
        report = service.import_file(
            session=session,
            principal=principal,
            kind=kind,
            content=kept.content,
            filename=kept.filename,
            mapping=mapping,
            default_unit_id=_unit(form),
            dry_run=dry_run,
            max_bytes=max_bytes,
            max_rows=max_rows,
        )
    except (ValidationFailed, PermissionDenied) as exc:
        return _columns_page(
            request, session, principal, kind, kept, preview, unit, exc.message, 422
        )
    if report.applied:
        store.discard(kept.token, principal.user_id)
        return redirect_with_message(request, NAMES[kind][2], _done_message(report))
    return _plan_page(
        request,
        session,
        principal,
        kind,
        kept,
        report,
        mapping,
        unit,
        time.perf_counter() - started,
    )


def _done_message(report: ImportReport) -> str:
    return (
        f"Imported {report.total:,} rows: {report.created:,} created, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged."
    )


def _plan_page(
    request: Request,
    session: Session,
    principal: Principal,
    kind: ImportKind,
    kept: KeptUpload,
    report: ImportReport,
    mapping: dict[str, str | None],
    unit: str,
    seconds: float,
) -> Response:
    listed = [row for row in report.rows if row.action != "unchanged"]
    return _page(
        request,
        session,
        principal,
        "plan.html",
        kind,
        200 if not report.errors else 422,
        kept=kept,
        report=report,
        listed=listed[:SHOWN_ROWS],
        more=max(len(listed) - SHOWN_ROWS, 0),
        mapping=list(mapping.items()),
        unit_id=unit,
        seconds=seconds,
    )


@router.post("/{kind}/check", dependencies=[CsrfChecked])
async def check(
    kind: ImportKind, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The dry run: what each row would create or update, and every problem; nothing is saved."""
    return await _run(kind, request, session, principal, dry_run=True)


@router.post("/{kind}/run", dependencies=[CsrfChecked])
async def run(
    kind: ImportKind, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Import the checked file, all or nothing, then go to the list."""
    return await _run(kind, request, session, principal, dry_run=False)
