"""Frameworks, their requirements, imports, and mappings between requirements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status

from aegis.core.errors import PayloadTooLarge
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.common.uploads import UploadKind
from aegis.domains.frameworks import service
from aegis.domains.frameworks.schemas import (
    CatalogDiff,
    FrameworkCreate,
    FrameworkQuery,
    FrameworkRead,
    FrameworkUpdate,
    ImportFormat,
    MappingImportResult,
    RequirementCreate,
    RequirementMappingCreate,
    RequirementMappingQuery,
    RequirementMappingRead,
    RequirementQuery,
    RequirementRead,
    RequirementUpdate,
)
from aegis.http.deps import CurrentPrincipal, SessionDep, SettingsDep
from aegis.http.uploads import screen_file

router = APIRouter(tags=["frameworks"])
CHUNK = 1024 * 1024


def _read_upload(upload: UploadFile, limit: int) -> bytes:
    """Read an uploaded file in chunks, refusing it as soon as it passes the limit."""
    chunks: list[bytes] = []
    size = 0
    while chunk := upload.file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The file exceeds the upload limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/frameworks", response_model=Page[FrameworkRead])
def list_frameworks(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[FrameworkQuery, Query()]
) -> Page[FrameworkRead]:
    """Frameworks of the caller's units and of the units above them."""
    return service.list_frameworks(session=session, principal=principal, query=query)


@router.post("/frameworks", response_model=FrameworkRead, status_code=status.HTTP_201_CREATED)
def create_framework(
    body: FrameworkCreate, session: SessionDep, principal: CurrentPrincipal
) -> FrameworkRead:
    """Create an empty custom framework."""
    return service.create_framework(session=session, principal=principal, data=body)


@router.post(
    "/frameworks/import", response_model=FrameworkRead, status_code=status.HTTP_201_CREATED
)
def import_framework(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="OSCAL catalog (JSON) or requirements CSV")],
    unit_id: Annotated[Id, Form()],
    format: Annotated[
        ImportFormat | None, Form(description="Refuse the file unless it is in this format")
    ] = None,
    name: Annotated[str | None, Form(max_length=300)] = None,
    key: Annotated[str | None, Form(max_length=100)] = None,
    version: Annotated[str | None, Form(max_length=50)] = None,
) -> FrameworkRead:
    """Import a framework from an OSCAL catalog or a CSV (`id,parent,title,text`).

    The format is read from the content. A catalog already loaded (same OSCAL uuid, else
    same key and version) is a 409 whose details name the framework: update it with
    `POST /frameworks/{framework_id}/reimport`.
    """
    principal.require_write(unit_id)
    screen_file(request, session, principal, file, UploadKind.CATALOG, unit_id)
    content = _read_upload(file, settings.max_upload_bytes)
    return service.import_file(
        session=session,
        principal=principal,
        unit_id=unit_id,
        content=content,
        filename=(file.filename or "upload")[:200],
        format=format,
        key=key,
        name=name,
        version=version,
    )


@router.post("/frameworks/{framework_id}/reimport", response_model=CatalogDiff)
def reimport_framework(
    framework_id: Id,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="A new edition of the framework's file")],
    format: Annotated[ImportFormat | None, Form()] = None,
    dry_run: Annotated[bool, Form(description="Only show what would change")] = False,
) -> CatalogDiff:
    """Update a framework in place from its file: requirements added, changed and removed.

    Removed requirements that controls, evidence, assessment results or mappings still use
    are kept and listed under `kept`.
    """
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    screen_file(request, session, principal, file, UploadKind.CATALOG, framework.unit_id)
    content = _read_upload(file, settings.max_upload_bytes)
    update = service.preview_update if dry_run else service.update_from_file
    return update(
        session=session,
        principal=principal,
        framework_id=framework_id,
        content=content,
        filename=(file.filename or "upload")[:200],
        format=format,
    )


@router.get("/frameworks/{framework_id}", response_model=FrameworkRead)
def get_framework(
    framework_id: Id, session: SessionDep, principal: CurrentPrincipal
) -> FrameworkRead:
    """One framework."""
    return service.get_framework(session=session, principal=principal, framework_id=framework_id)


@router.patch("/frameworks/{framework_id}", response_model=FrameworkRead)
def update_framework(
    framework_id: Id, body: FrameworkUpdate, session: SessionDep, principal: CurrentPrincipal
) -> FrameworkRead:
    """Change a framework's name, key, version, description, source or unit."""
    return service.update_framework(
        session=session, principal=principal, framework_id=framework_id, data=body
    )


@router.delete("/frameworks/{framework_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_framework(framework_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Delete a framework no assessment, control or evidence uses (409 saying how many do)."""
    service.delete_framework(session=session, principal=principal, framework_id=framework_id)


@router.get("/frameworks/{framework_id}/requirements", response_model=Page[RequirementRead])
def list_requirements(
    framework_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    query: Annotated[RequirementQuery, Query()],
) -> Page[RequirementRead]:
    """Requirements of a framework in tree order; parent_id links them into the tree."""
    return service.list_requirements(
        session=session, principal=principal, framework_id=framework_id, query=query
    )


@router.post(
    "/frameworks/{framework_id}/requirements",
    response_model=RequirementRead,
    status_code=status.HTTP_201_CREATED,
)
def create_requirement(
    framework_id: Id, body: RequirementCreate, session: SessionDep, principal: CurrentPrincipal
) -> RequirementRead:
    """Add a requirement to a framework, at the top level or below another requirement."""
    return service.create_requirement(
        session=session, principal=principal, framework_id=framework_id, data=body
    )


@router.patch("/requirements/{requirement_id}", response_model=RequirementRead)
def update_requirement(
    requirement_id: Id, body: RequirementUpdate, session: SessionDep, principal: CurrentPrincipal
) -> RequirementRead:
    """Change a requirement's identifier, title, text, parent or whether it is assessed."""
    return service.update_requirement(
        session=session, principal=principal, requirement_id=requirement_id, data=body
    )


@router.delete("/requirements/{requirement_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_requirement(
    requirement_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    with_assessment_work: Annotated[
        bool,
        Query(description="Also remove the results, comments and owners assessments hold on it"),
    ] = False,
) -> None:
    """Remove a requirement nothing links to (409 naming what still does).

    Results, comments and owners that assessments hold on it are removed with it only with
    `with_assessment_work=true` (else 409 naming them), each recorded in the audit trail.
    """
    service.delete_requirement(
        session=session,
        principal=principal,
        requirement_id=requirement_id,
        with_assessment_work=with_assessment_work,
    )


@router.get("/requirements/{requirement_id}", response_model=RequirementRead)
def get_requirement(
    requirement_id: Id, session: SessionDep, principal: CurrentPrincipal
) -> RequirementRead:
    """One requirement."""
    return service.get_requirement(
        session=session, principal=principal, requirement_id=requirement_id
    )


@router.get("/requirement-mappings", response_model=Page[RequirementMappingRead])
def list_mappings(
    session: SessionDep,
    principal: CurrentPrincipal,
    query: Annotated[RequirementMappingQuery, Query()],
) -> Page[RequirementMappingRead]:
    """Mappings between visible requirements; filter by requirement_id for one requirement."""
    return service.list_mappings(session=session, principal=principal, query=query)


@router.post(
    "/requirement-mappings",
    response_model=RequirementMappingRead,
    status_code=status.HTTP_201_CREATED,
)
def create_mapping(
    body: RequirementMappingCreate, session: SessionDep, principal: CurrentPrincipal
) -> RequirementMappingRead:
    """Map one requirement to another."""
    return service.create_mapping(session=session, principal=principal, data=body)


@router.post("/requirement-mappings/import", response_model=MappingImportResult)
def import_mappings(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="CSV of mappings")],
) -> MappingImportResult:
    """Create or update mappings from a CSV (`source_framework,source_id,relationship,...`)."""
    screen_file(request, session, principal, file, UploadKind.MAPPINGS)
    content = _read_upload(file, settings.max_upload_bytes)
    return service.import_mappings(session=session, principal=principal, content=content)


@router.delete("/requirement-mappings/{mapping_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_mapping(mapping_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Remove a mapping."""
    service.delete_mapping(session=session, principal=principal, mapping_id=mapping_id)
