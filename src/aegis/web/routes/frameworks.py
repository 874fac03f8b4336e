"""Framework pages: the list, the requirement tree and its search, editing and deleting."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.frameworks import service
from aegis.domains.frameworks.errors import FrameworkInUse, RequirementNotFound
from aegis.domains.frameworks.schemas import (
    FrameworkRead,
    FrameworkUpdate,
    RequirementQuery,
    RequirementRead,
)
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.exports import Cell
from aegis.web.flash import redirect_with_message
from aegis.web.forms import form_values
from aegis.web.list_pages import show_list
from aegis.web.list_specs import FRAMEWORKS
from aegis.web.lists import all_rows, list_query
from aegis.web.saving import Refused, in_savepoint, save
from aegis.web.sheets import send, wanted_format
from aegis.web.templating import render

router = APIRouter(prefix="/frameworks")
# the columns a framework CSV import reads back ("Reference" is its `id`)
REQUIREMENT_HEADER: list[Cell] = ["Reference", "Parent", "Title", "Text", "Assessable"]
TREE_PAGE = 100
EDITABLE = ("name", "version", "description")


def requirement_of(
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
    """Frameworks shared with the user; `format=csv` or `format=xlsx` downloads them."""
    return show_list(request, session, principal, FRAMEWORKS)


def _requirement_cells(
    session: Session, principal: Principal, framework_id: int, rows: list[RequirementRead]
) -> list[list[Cell]]:
    """Requirements as a framework CSV import reads them: parents by reference, in words."""
    refs = {row.id: row.ref_id for row in rows}
    if any(row.parent_id not in refs for row in rows if row.parent_id is not None):
        every = service.requirement_ids(
            session=session, principal=principal, framework_id=framework_id
        )
        refs = {requirement_id: ref for ref, requirement_id in every.items()}
    return [REQUIREMENT_HEADER] + [
        [
            row.ref_id,
            refs.get(row.parent_id) if row.parent_id is not None else None,
            row.title,
            row.text,
            row.assessable,
        ]
        for row in rows
    ]


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


def _detail(
    request: Request,
    session: Session,
    principal: Principal,
    framework_id: int,
    refusal: str | None = None,
) -> Response:
    """The framework page (with a refusal to delete it, when there is one)."""
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    query = list_query(request, RequirementQuery, limit=TREE_PAGE)
    parent = None
    if query.parent_id is not None:
        parent = requirement_of(session, principal, framework_id, query.parent_id)
    kind = wanted_format(request)
    if kind:
        rows = all_rows(
            lambda q: service.list_requirements(
                session=session, principal=principal, framework_id=framework_id, query=q
            ),
            query,
        )
        cells = _requirement_cells(session, principal, framework_id, rows)
        return send(cells, kind, f"{framework.key}-{framework.version}", "Requirements")
    searching = bool(query.q)
    if not searching and parent is None and query.top_level is None:
        query = query.model_copy(update={"top_level": True})
    return render(
        request,
        "frameworks/detail.html",
        principal,
        status_code=409 if refusal else 200,
        framework=framework,
        query=query,
        parent=parent,
        searching=searching,
        refusal=refusal,
        can_edit=framework.unit_id in principal.writable,
        units=lookups.unit_names(session, principal),
        **_tree_level(session, principal, framework, query),
    )


@router.get("/{framework_id}")
def framework_detail(
    framework_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """A framework: its requirement tree a level at a time, or a search of its requirements."""
    return _detail(request, session, principal, framework_id)


@router.get("/{framework_id}/tree")
def framework_tree(
    framework_id: Id,
    parent_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """The children of one requirement, for expanding the tree in place."""
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    parent = requirement_of(session, principal, framework_id, parent_id)
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


def _edit_page(
    request: Request,
    principal: Principal,
    framework: FrameworkRead,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "frameworks/edit.html",
        principal,
        status_code=status_code,
        framework=framework,
        values=values,
        errors=errors,
    )


@router.get("/{framework_id}/edit")
def edit_framework(
    framework_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to change a framework's name, version and description."""
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    principal.require_write(framework.unit_id)
    values = {name: getattr(framework, name) for name in EDITABLE}
    return _edit_page(request, principal, framework, values, {})


@router.post("/{framework_id}/edit", dependencies=[CsrfChecked])
async def update_framework(
    framework_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the framework's name, version and description, or show the errors."""
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    principal.require_write(framework.unit_id)
    form = form_values(await request.form())
    values = {name: form.get(name) for name in EDITABLE}
    changes = {**values, "description": values["description"] or ""}
    try:
        save(
            session,
            lambda: service.update_framework(
                session=session,
                principal=principal,
                framework_id=framework_id,
                data=FrameworkUpdate(**changes),
            ),
            unit_field=None,
        )
    except Refused as refused:
        return _edit_page(request, principal, framework, values, refused.errors, refused.status)
    return redirect_with_message(request, f"/frameworks/{framework_id}", "The framework was saved.")


@router.post("/{framework_id}/delete", dependencies=[CsrfChecked])
def delete_framework(
    framework_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Delete a framework nothing uses; else show the framework with what still uses it."""
    try:
        in_savepoint(
            session,
            lambda: service.delete_framework(
                session=session, principal=principal, framework_id=framework_id
            ),
        )
    except FrameworkInUse as exc:
        return _detail(request, session, principal, framework_id, exc.message)
    return redirect_with_message(request, "/frameworks", "The framework was deleted.")
