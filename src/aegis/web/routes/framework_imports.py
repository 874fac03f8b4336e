"""Framework imports: a new framework, an update of one already loaded, mapping files."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.core.errors import (
    AegisError,
    Conflict,
    PayloadTooLarge,
    PermissionDenied,
    ValidationFailed,
)
from aegis.domains.common.uploads import UploadKind
from aegis.domains.frameworks import service
from aegis.domains.frameworks.errors import CatalogLoaded
from aegis.domains.frameworks.schemas import CatalogDiff, ImportFormat
from aegis.http.deps import SessionDep
from aegis.http.uploads import screen_file
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.kept_uploads import KeptUpload, KeptUploads, kept_uploads
from aegis.web.saving import in_savepoint
from aegis.web.templating import render

router = APIRouter(prefix="/frameworks")
CHUNK = 1024 * 1024
IMPORT_FIELDS = ("unit_id", "format", "name", "key", "version")
AUTO = "auto"
FORMATS = [
    (AUTO, "Detect from the file"),
    (ImportFormat.OSCAL.value, "OSCAL catalog (JSON)"),
    (ImportFormat.CSV.value, "CSV"),
]
SHOWN = 200  # entries of each list of an update preview shown on the page


@dataclass
class _Form:
    """What the import form sent: its fields, and the file (uploaded or kept)."""

    values: dict[str, str]
    content: bytes | None = None
    filename: str = ""
    kept: KeptUpload | None = None


def _import_form(
    request: Request,
    session: Session,
    principal: Principal,
    form: _Form,
    errors: dict[str, str],
    problems: list[str] | None = None,
    status_code: int | None = None,
) -> Response:
    return render(
        request,
        "frameworks/import.html",
        principal,
        status_code=status_code or (422 if errors else 200),
        values=form.values,
        errors=errors,
        problems=problems or [],
        kept=form.kept,
        units=lookups.writable_units(session, principal),
        formats=FORMATS,
    )


@router.get("/import")
def import_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form to import a framework from an OSCAL catalog or a CSV file."""
    principal.require_any_write()
    return _import_form(request, session, principal, _Form(values={"format": AUTO}), {})


async def _read_upload(upload: UploadFile, limit: int) -> bytes:
    """The uploaded file, refused as soon as it passes the limit."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The file exceeds the upload limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_form(
    request: Request,
    session: Session,
    data: FormData,
    store: KeptUploads,
    principal: Principal,
    *,
    for_unit: bool = True,
) -> tuple[_Form, dict[str, str]]:
    """The form's fields and file, with the errors of what the services cannot judge."""
    values = {
        name: value.strip()
        for name in (*IMPORT_FIELDS, "framework_id")
        if isinstance(value := data.get(name), str) and value.strip()
    }
    form, errors = _Form(values=values), {}
    upload, token = data.get("file"), data.get("upload_token")
    if isinstance(upload, UploadFile) and upload.filename:
        unit = values.get("unit_id", "")
        try:
            kind, unit_id = UploadKind.CATALOG, int(unit) if unit.isdigit() else None
            screen_file(request, session, principal, upload, kind, unit_id)
            form.content = await _read_upload(upload, store.max_bytes)
            form.filename = upload.filename[:200]
        except (PayloadTooLarge, ValidationFailed) as exc:
            errors["file"] = exc.message
    elif isinstance(token, str) and token:
        form.kept = store.load(token, principal.user_id)
        if form.kept is None:
            errors["file"] = "The file you chose is no longer kept (after an hour); choose it again"
        else:
            form.content, form.filename = form.kept.content, form.kept.filename
    else:
        errors["file"] = "Choose a file to import"
    if for_unit and not values.get("unit_id", "").isdigit():
        errors["unit_id"] = "Choose the unit that will own the framework"
    if values.get("format", AUTO) not in {value for value, _ in FORMATS}:
        errors["format"] = "Choose OSCAL, CSV or let the format be detected"
    elif values.get("format") == ImportFormat.CSV.value:
        for name in ("name", "key", "version"):
            if not values.get(name):
                errors[name] = "Required for a CSV file"
    return form, errors


def _keep(store: KeptUploads, form: _Form, principal: Principal) -> KeptUpload | None:
    """Keep a readable file for the next step, unless it is kept already."""
    if form.kept is None and form.content is not None:
        form.kept = store.keep(form.content, form.filename, principal.user_id)
    return form.kept


def _refusal(exc: AegisError) -> tuple[dict[str, str], list[str], int]:
    """Field errors, the problems found in the file, and the status of a refused import."""
    if isinstance(exc, PermissionDenied):
        return {"unit_id": exc.message}, [], 403
    errors: dict[str, str] = {}
    problems: list[str] = []
    for detail in exc.details if isinstance(exc.details, list) else []:
        if not isinstance(detail, dict):
            continue
        name = str(detail.get("field") or "file")
        message = str(detail.get("message", exc.message))
        if name == "file":
            where = detail.get("where")
            problems.append(f"{where}: {message}" if where and where != "file" else message)
        else:
            errors.setdefault(name, message)
    if problems or not errors:
        errors["file"] = exc.message
    status = 409 if isinstance(exc, Conflict) else 413 if isinstance(exc, PayloadTooLarge) else 422
    return errors, problems, status


def _format(form: _Form) -> ImportFormat | None:
    chosen = form.values.get("format", AUTO)
    return None if chosen == AUTO else ImportFormat(chosen)


def _preview(
    request: Request,
    session: Session,
    principal: Principal,
    form: _Form,
    kept: KeptUpload,
    framework_id: int,
) -> Response:
    """The changes an update would make, for the user to confirm."""
    diff = service.preview_update(
        session=session,
        principal=principal,
        framework_id=framework_id,
        content=kept.content,
        filename=kept.filename,
        format=_format(form),
    )
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    return render(
        request,
        "frameworks/update.html",
        principal,
        framework=framework,
        diff=diff,
        shown=SHOWN,
        kept=kept,
        values=form.values,
    )


@router.post("/import", dependencies=[CsrfChecked])
async def import_framework(
    request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Import the file; offer an update when it is loaded already; else show the errors."""
    principal.require_any_write()
    store = kept_uploads(request)
    form, errors = await _read_form(request, session, await request.form(), store, principal)
    if errors or form.content is None:
        if "file" not in errors:
            _keep(store, form, principal)
        return _import_form(request, session, principal, form, errors)
    content = form.content
    try:
        framework = in_savepoint(
            session,
            lambda: service.import_file(
                session=session,
                principal=principal,
                unit_id=int(form.values["unit_id"]),
                content=content,
                filename=form.filename,
                format=_format(form),
                key=form.values.get("key"),
                name=form.values.get("name"),
                version=form.values.get("version"),
            ),
        )
    except CatalogLoaded as exc:
        kept = _keep(store, form, principal)
        if exc.may_update and kept is not None:
            return _preview(request, session, principal, form, kept, exc.framework_id)
        errors, problems, status = _refusal(exc)
        return _import_form(request, session, principal, form, errors, problems, status)
    except (ValidationFailed, Conflict, PermissionDenied, PayloadTooLarge) as exc:
        errors, problems, status = _refusal(exc)
        if "file" not in errors:
            _keep(store, form, principal)
        return _import_form(request, session, principal, form, errors, problems, status)
    if form.kept is not None:
        store.discard(form.kept.token, principal.user_id)
    url = f"/frameworks/{framework.id}"
    return redirect_with_message(request, url, "The framework was imported.")


def _updated_message(diff: CatalogDiff) -> str:
    if diff.empty:
        return "The framework already matched the file: nothing was changed."
    message = (
        f"The framework was updated: {len(diff.added)} added, {len(diff.changed)} changed, "
        f"{len(diff.removed)} removed."
    )
    if diff.kept:
        message += f" {len(diff.kept)} no longer in the file were kept because they are in use."
    return message


@router.post("/import/update", dependencies=[CsrfChecked])
async def confirm_update(
    request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Update the framework in place from the kept file, as previewed."""
    principal.require_any_write()
    store = kept_uploads(request)
    data = await request.form()
    form, errors = await _read_form(request, session, data, store, principal, for_unit=False)
    framework_id = form.values.get("framework_id", "")
    if not framework_id.isdigit():
        errors["file"] = "Choose the file and the framework again"
    if errors or form.content is None or form.kept is None:
        return _import_form(request, session, principal, form, errors)
    content = form.content
    try:
        diff = in_savepoint(
            session,
            lambda: service.update_from_file(
                session=session,
                principal=principal,
                framework_id=int(framework_id),
                content=content,
                filename=form.filename,
                format=_format(form),
            ),
        )
    except (ValidationFailed, Conflict, PermissionDenied) as exc:
        errors, problems, status = _refusal(exc)
        return _import_form(request, session, principal, form, errors, problems, status)
    store.discard(form.kept.token, principal.user_id)
    return redirect_with_message(request, f"/frameworks/{framework_id}", _updated_message(diff))


def _mapping_form(
    request: Request,
    principal: Principal,
    errors: dict[str, str],
    problems: list[str] | None = None,
    status_code: int | None = None,
) -> Response:
    return render(
        request,
        "frameworks/mappings_import.html",
        principal,
        status_code=status_code or (422 if errors else 200),
        errors=errors,
        problems=problems or [],
    )


@router.get("/mappings/import")
def mapping_import_page(request: Request, principal: WebPrincipal) -> Response:
    """The form to import mappings between requirements from a CSV file."""
    principal.require_any_write()
    return _mapping_form(request, principal, {})


@router.post("/mappings/import", dependencies=[CsrfChecked])
async def import_mappings(
    request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Create or update the mappings of the file; nothing is written if any row is wrong."""
    principal.require_any_write()
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _mapping_form(request, principal, {"file": "Choose a CSV file of mappings"})
    limit = request.app.state.settings.max_upload_bytes
    try:
        screen_file(request, session, principal, upload, UploadKind.MAPPINGS)
        content = await _read_upload(upload, limit)
        result = in_savepoint(
            session,
            lambda: service.import_mappings(session=session, principal=principal, content=content),
        )
    except PermissionDenied as exc:
        return _mapping_form(request, principal, {"file": exc.message}, status_code=403)
    except (ValidationFailed, PayloadTooLarge) as exc:
        errors, problems, status = _refusal(exc)
        return _mapping_form(request, principal, errors, problems, status)
    message = (
        f"Mappings imported: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
    return redirect_with_message(request, "/frameworks", message)
