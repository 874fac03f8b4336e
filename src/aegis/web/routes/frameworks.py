"""Framework pages: the list, the requirement tree and its search, requirements, imports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.errors import PayloadTooLarge, ValidationFailed
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlQuery
from aegis.domains.frameworks import service
from aegis.domains.frameworks.errors import FrameworkExists, RequirementNotFound
from aegis.domains.frameworks.schemas import (
    FrameworkQuery,
    FrameworkRead,
    ImportFormat,
    RequirementMappingQuery,
    RequirementQuery,
    RequirementRead,
)
from aegis.http.deps import SessionDep, SettingsDep
from aegis.models.enums import MappingRelationship
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.lists import all_rows, csv_export, list_query
from aegis.web.templating import render

router = APIRouter(prefix="/frameworks")
CSV_COLUMNS = (
    "id",
    "unit_id",
    "key",
    "name",
    "version",
    "requirement_count",
    "source",
    "created_at",
)
REQUIREMENT_CSV_COLUMNS = ("id", "ref_id", "parent_id", "title", "text", "assessable", "position")
TREE_PAGE = 100
CHUNK = 1024 * 1024
IMPORT_FIELDS = ("unit_id", "format", "name", "key", "version")
# how a mapping reads from its target's side
INVERSE = {
    MappingRelationship.SUBSET: MappingRelationship.SUPERSET,
    MappingRelationship.SUPERSET: MappingRelationship.SUBSET,
}
PHRASES = {
    MappingRelationship.EQUAL: "Equal to",
    MappingRelationship.SUBSET: "Subset of",
    MappingRelationship.SUPERSET: "Superset of",
    MappingRelationship.INTERSECT: "Intersects with",
}


def _requirement_of(
    session: Session, principal: Principal, framework_id: int, requirement_id: int
) -> RequirementRead:
    """A requirement of this framework (an id of another framework is not found)."""
    requirement = service.get_requirement(
        session=session, principal=principal, requirement_id=requirement_id
    )
    if requirement.framework_id != framework_id:
        raise RequirementNotFound("Requirement not found")
    return requirement


@router.get("")
def framework_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Frameworks shared with the user; `format=csv` downloads every matching row."""
    query = list_query(request, FrameworkQuery, sort="name")
    if request.query_params.get("format") == "csv":
        rows = all_rows(
            lambda q: service.list_frameworks(session=session, principal=principal, query=q),
            query,
        )
        return csv_export("frameworks.csv", CSV_COLUMNS, rows)
    page = service.list_frameworks(session=session, principal=principal, query=query)
    return render(
        request,
        "frameworks/list.html",
        principal,
        page=page,
        query=query,
        units=lookups.unit_names(session, principal),
    )


def _import_form(
    request: Request,
    session: Session,
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    problems: list[str] | None = None,
) -> Response:
    return render(
        request,
        "frameworks/import.html",
        principal,
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        problems=problems or [],
        units=lookups.writable_units(session, principal),
        formats=[
            (ImportFormat.OSCAL.value, "OSCAL catalog (JSON)"),
            (ImportFormat.CSV.value, "CSV"),
        ],
    )


@router.get("/import")
def import_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form to import a framework from an OSCAL catalog or a CSV file."""
    principal.require_any_write()
    return _import_form(request, session, principal, {"format": ImportFormat.OSCAL.value}, {})


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


def _check_import_form(values: dict[str, str], upload: Any) -> dict[str, str]:
    """Errors of the fields the service cannot judge: the file, the unit, the format."""
    errors: dict[str, str] = {}
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = "Choose a file to import"
    if not values.get("unit_id", "").isdigit():
        errors["unit_id"] = "Choose the unit that will own the framework"
    if values.get("format") not in {f.value for f in ImportFormat}:
        errors["format"] = "Choose OSCAL or CSV"
    elif values["format"] == ImportFormat.CSV.value:
        for name in ("name", "key", "version"):
            if not values.get(name):
                errors[name] = "Required for a CSV import"
    return errors


def _import_errors(exc: ValidationFailed) -> tuple[dict[str, str], list[str]]:
    """Field errors of a refused import, and the problems found in the file."""
    errors: dict[str, str] = {}
    problems: list[str] = []
    for detail in exc.details if isinstance(exc.details, list) else []:
        if not isinstance(detail, dict):
            continue
        field = str(detail.get("field") or "file")
        message = str(detail.get("message", exc.message))
        if field == "file":
            where = detail.get("where")
            problems.append(f"{where}: {message}" if where and where != "file" else message)
        else:
            errors.setdefault(field, message)
    if problems or not errors:
        errors["file"] = exc.message
    return errors, problems


@router.post("/import", dependencies=[CsrfChecked])
async def import_framework(
    request: Request, session: SessionDep, principal: WebPrincipal, settings: SettingsDep
) -> Response:
    """Import the uploaded file, or show the form again with the errors."""
    principal.require_any_write()
    form = await request.form()
    values = {
        name: value.strip()
        for name in IMPORT_FIELDS
        if isinstance(value := form.get(name), str) and value.strip()
    }
    upload = form.get("file")
    errors = _check_import_form(values, upload)
    if errors or not isinstance(upload, UploadFile):
        return _import_form(request, session, principal, values, errors)
    unit_id = int(values["unit_id"])
    principal.require_write(unit_id)
    try:
        content = await _read_upload(upload, settings.max_upload_bytes)
        source = (upload.filename or "upload")[:200]
        if values["format"] == ImportFormat.OSCAL.value:
            framework = service.import_oscal_catalog(
                session=session,
                principal=principal,
                unit_id=unit_id,
                content=content,
                source=source,
                key=values.get("key"),
                name=values.get("name"),
                version=values.get("version"),
            )
        else:
            framework = service.import_csv(
                session=session,
                principal=principal,
                unit_id=unit_id,
                content=content,
                name=values["name"],
                key=values["key"],
                version=values["version"],
                source=source,
            )
    except PayloadTooLarge as exc:
        return _import_form(request, session, principal, values, {"file": exc.message})
    except FrameworkExists as exc:
        message = f"{exc.message}; give another key or version"
        return _import_form(request, session, principal, values, {"version": message})
    except ValidationFailed as exc:
        errors, problems = _import_errors(exc)
        return _import_form(request, session, principal, values, errors, problems)
    return RedirectResponse(f"/frameworks/{framework.id}", status_code=303)


def _tree_level(
    session: Session,
    principal: Principal,
    framework: FrameworkRead,
    query: RequirementQuery,
) -> dict[str, Any]:
    """One page of requirements with the number of children of each."""
    page = service.list_requirements(
        session=session, principal=principal, framework_id=framework.id, query=query
    )
    counts = service.child_counts(
        session=session,
        principal=principal,
        framework_id=framework.id,
        parent_ids=[r.id for r in page.items],
    )
    return {"page": page, "counts": counts}


@router.get("/{framework_id}")
def framework_detail(
    framework_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """A framework: its requirement tree a level at a time, or a search of its requirements."""
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    query = list_query(request, RequirementQuery, limit=TREE_PAGE)
    parent = None
    if query.parent_id is not None:
        parent = _requirement_of(session, principal, framework_id, query.parent_id)
    if request.query_params.get("format") == "csv":
        rows = all_rows(
            lambda q: service.list_requirements(
                session=session, principal=principal, framework_id=framework_id, query=q
            ),
            query,
        )
        return csv_export(f"{framework.key}-{framework.version}.csv", REQUIREMENT_CSV_COLUMNS, rows)
    searching = bool(query.q)
    if not searching and parent is None and query.top_level is None:
        query = query.model_copy(update={"top_level": True})
    return render(
        request,
        "frameworks/detail.html",
        principal,
        framework=framework,
        query=query,
        parent=parent,
        searching=searching,
        units=lookups.unit_names(session, principal),
        **_tree_level(session, principal, framework, query),
    )


@router.get("/{framework_id}/tree")
def framework_tree(
    framework_id: int,
    parent_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """The children of one requirement, for expanding the tree in place."""
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    parent = _requirement_of(session, principal, framework_id, parent_id)
    query = RequirementQuery(parent_id=parent.id, limit=MAX_LIMIT)
    return render(
        request,
        "frameworks/_nodes.html",
        principal,
        framework=framework,
        parent=parent,
        fragment=True,
        **_tree_level(session, principal, framework, query),
    )


@router.get("/{framework_id}/requirements/{requirement_id}")
def requirement_detail(
    framework_id: int,
    requirement_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """A requirement: its text, parent and children, the controls and mappings that meet it."""
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    requirement = _requirement_of(session, principal, framework_id, requirement_id)
    parent = None
    if requirement.parent_id is not None:
        parent = service.get_requirement(
            session=session, principal=principal, requirement_id=requirement.parent_id
        )
    children = service.list_requirements(
        session=session,
        principal=principal,
        framework_id=framework_id,
        query=RequirementQuery(parent_id=requirement.id, limit=MAX_LIMIT),
    )
    meeting = controls.list_controls(
        session=session,
        principal=principal,
        query=ControlQuery(requirement_id=requirement.id, limit=MAX_LIMIT, sort="ref"),
    )
    mappings = service.list_mappings(
        session=session,
        principal=principal,
        query=RequirementMappingQuery(requirement_id=requirement.id, limit=MAX_LIMIT),
    )
    related = []
    for mapping in mappings.items:
        outgoing = mapping.source.id == requirement.id
        relationship = (
            mapping.relationship
            if outgoing
            else INVERSE.get(mapping.relationship, mapping.relationship)
        )
        other = mapping.target if outgoing else mapping.source
        related.append((PHRASES[relationship], other))
    return render(
        request,
        "frameworks/requirement.html",
        principal,
        framework=framework,
        requirement=requirement,
        parent=parent,
        children=children,
        controls=meeting,
        mappings=related,
        mapping_total=mappings.total,
        framework_names=dict(lookups.framework_options(session, principal)),
    )
