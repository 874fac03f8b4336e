"""Requirement pages: text, controls and mappings; adding and removing mappings, removing it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.core.errors import NotFound
from aegis.core.messages import framework_title
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlQuery
from aegis.domains.frameworks import service
from aegis.domains.frameworks.errors import RequirementInUse
from aegis.domains.frameworks.schemas import (
    FrameworkQuery,
    FrameworkRead,
    RequirementMappingCreate,
    RequirementMappingQuery,
    RequirementMappingRead,
    RequirementQuery,
    RequirementRead,
)
from aegis.http.deps import SessionDep
from aegis.models.enums import MappingRelationship
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.forms import form_values
from aegis.web.routes.frameworks import requirement_of
from aegis.web.saving import Refused, in_savepoint, save
from aegis.web.templating import render

router = APIRouter(prefix="/frameworks")
PICK_LIMIT = 25
SEARCH_MAX = 200
# how a mapping reads from its target's side
INVERSE = {
    MappingRelationship.SUBSET: MappingRelationship.SUPERSET,
    MappingRelationship.SUPERSET: MappingRelationship.SUBSET,
}
CHOICES = {
    MappingRelationship.EQUAL: "equal to",
    MappingRelationship.SUBSET: "a subset of (narrower than)",
    MappingRelationship.SUPERSET: "a superset of (wider than)",
    MappingRelationship.INTERSECT: "overlapping with",
}
PHRASES = {
    MappingRelationship.EQUAL: "Equal to",
    MappingRelationship.SUBSET: "Subset of",
    MappingRelationship.SUPERSET: "Superset of",
    MappingRelationship.INTERSECT: "Intersects with",
}


def requirement_url(framework_id: int, requirement_id: int) -> str:
    """The page of a requirement."""
    return f"/frameworks/{framework_id}/requirements/{requirement_id}"


def whole_number(text: Any) -> int | None:
    """A form or URL value as a whole number, or None."""
    value = str(text or "").strip()
    return int(value) if value.isdigit() else None


def _related(
    mappings: list[RequirementMappingRead],
    requirement: RequirementRead,
    frameworks: dict[int, FrameworkRead],
    principal: Principal,
) -> list[dict[str, Any]]:
    """Each mapping as read from this requirement, and whether the user may remove it."""
    related = []
    for mapping in mappings:
        outgoing = mapping.source.id == requirement.id
        relationship = (
            mapping.relationship
            if outgoing
            else INVERSE.get(mapping.relationship, mapping.relationship)
        )
        owner = frameworks.get(mapping.source.framework_id)
        related.append(
            {
                "id": mapping.id,
                "phrase": PHRASES[relationship],
                "other": mapping.target if outgoing else mapping.source,
                "removable": owner is not None and owner.unit_id in principal.writable,
            }
        )
    return related


def _candidates(
    session: Session, principal: Principal, framework_id: int | None, q: str
) -> tuple[list[RequirementRead], int]:
    """Requirements of the chosen framework matching the search, for the mapping picker."""
    if framework_id is None:
        return [], 0
    query = RequirementQuery(q=q or None, limit=PICK_LIMIT)
    try:
        page = service.list_requirements(
            session=session, principal=principal, framework_id=framework_id, query=query
        )
    except NotFound:
        return [], 0
    return page.items, page.total


def _requirement_page(
    request: Request,
    session: Session,
    principal: Principal,
    framework_id: int,
    requirement_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    requirement = requirement_of(session, principal, framework_id, requirement_id)
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
    shared = service.list_frameworks(
        session=session, principal=principal, query=FrameworkQuery(limit=MAX_LIMIT, sort="name")
    ).items
    by_id = {f.id: f for f in shared}
    values = values or {
        "map_framework": request.query_params.get("map_framework", ""),
        "map_q": (request.query_params.get("map_q") or "").strip()[:SEARCH_MAX],
    }
    candidates, candidate_total = _candidates(
        session,
        principal,
        whole_number(values.get("map_framework")),
        str(values.get("map_q") or ""),
    )
    can_edit = framework.unit_id in principal.writable
    usage = (
        service.requirement_usage(
            session=session, principal=principal, requirement_id=requirement.id
        )
        if can_edit
        else None
    )
    return render(
        request,
        "frameworks/requirement.html",
        principal,
        status_code=status_code,
        framework=framework,
        requirement=requirement,
        parent=parent,
        children=children,
        controls=meeting,
        mappings=_related(mappings.items, requirement, by_id, principal),
        mapping_total=mappings.total,
        framework_names={f.id: framework_title(f.name, f.version) for f in shared},
        other_frameworks=[
            (f.id, framework_title(f.name, f.version)) for f in shared if f.id != framework.id
        ],
        relationships=[(r.value, CHOICES[r]) for r in MappingRelationship],
        candidates=candidates,
        candidate_total=candidate_total,
        values=values,
        errors=errors or {},
        refusal=refusal,
        can_edit=can_edit,
        usage=usage,
    )


@router.get("/{framework_id}/requirements/{requirement_id}")
def requirement_detail(
    framework_id: Id,
    requirement_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """A requirement: its text, parent and children, the controls and mappings that meet it."""
    return _requirement_page(request, session, principal, framework_id, requirement_id)


@router.post("/{framework_id}/requirements/{requirement_id}/delete", dependencies=[CsrfChecked])
async def delete_requirement(
    framework_id: Id,
    requirement_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Remove a requirement nothing links to, with the assessment work the user was shown.

    The form carries the words of what it said would go with it (`removes`); when that is no
    longer what would go, nothing is removed and the page says what would now.
    """
    requirement = requirement_of(session, principal, framework_id, requirement_id)
    shown = str((await request.form()).get("removes") or "")
    usage = service.requirement_usage(
        session=session, principal=principal, requirement_id=requirement_id
    )

    def refused(message: str) -> Response:
        return _requirement_page(
            request,
            session,
            principal,
            framework_id,
            requirement_id,
            refusal=message,
            status_code=409,
        )

    if usage.has_work and not usage.blocking and shown != usage.work_summary:
        return refused(
            f"Nothing was removed: {requirement.ref_id} now has {usage.work_summary}, "
            "which would be removed with it. Look at them again before you delete it"
        )
    try:
        in_savepoint(
            session,
            lambda: service.delete_requirement(
                session=session,
                principal=principal,
                requirement_id=requirement_id,
                with_assessment_work=usage.has_work,
            ),
        )
    except RequirementInUse as exc:
        return refused(exc.message)
    url = (
        requirement_url(framework_id, requirement.parent_id)
        if requirement.parent_id is not None
        else f"/frameworks/{framework_id}"
    )
    removed = f" with its {usage.work_summary}" if usage.has_work else ""
    return redirect_with_message(
        request, url, f"Requirement {requirement.ref_id} was removed{removed}."
    )


@router.post("/{framework_id}/requirements/{requirement_id}/mappings", dependencies=[CsrfChecked])
async def add_mapping(
    framework_id: Id,
    requirement_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Map this requirement to a requirement of another framework, or show the errors."""
    requirement_of(session, principal, framework_id, requirement_id)
    values = form_values(await request.form())
    try:
        save(
            session,
            lambda: service.create_mapping(
                session=session,
                principal=principal,
                data=RequirementMappingCreate(
                    source_id=requirement_id,
                    **{name: values.get(name) for name in ("target_id", "relationship")},
                ),
            ),
            unit_field=None,
        )
    except Refused as refused:
        return _requirement_page(
            request,
            session,
            principal,
            framework_id,
            requirement_id,
            values=values,
            errors=refused.errors,
            status_code=refused.status,
        )
    url = requirement_url(framework_id, requirement_id)
    return redirect_with_message(request, url, "The mapping was added.")


@router.post(
    "/{framework_id}/requirements/{requirement_id}/mappings/{mapping_id}/delete",
    dependencies=[CsrfChecked],
)
def remove_mapping(
    framework_id: Id,
    requirement_id: Id,
    mapping_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Remove a mapping of this requirement."""
    requirement_of(session, principal, framework_id, requirement_id)
    service.delete_mapping(session=session, principal=principal, mapping_id=mapping_id)
    url = requirement_url(framework_id, requirement_id)
    return redirect_with_message(request, url, "The mapping was removed.")
