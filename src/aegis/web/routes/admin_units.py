"""Administration pages for the unit tree: creating, changing, moving and deleting units."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.errors import Conflict
from aegis.domains.common.bounds import Id
from aegis.domains.units import service as units
from aegis.domains.units.schemas import UnitCreate, UnitQuery, UnitRead, UnitUpdate
from aegis.domains.users import service as users
from aegis.domains.users.schemas import UserQuery
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.forms import form_values
from aegis.web.lists import all_rows
from aegis.web.saving import Refused, in_savepoint, save
from aegis.web.templating import render

router = APIRouter(prefix="/admin")

OUTSIDE = "A unit outside your scope"


def _visible_units(session: Session, principal: Principal) -> list[UnitRead]:
    return all_rows(
        lambda q: units.list_units(session=session, principal=principal, query=q),
        UnitQuery(sort="name"),
    )


def _unit_tree(all_units: list[UnitRead], administrable: frozenset[int]) -> list[dict[str, Any]]:
    """The administered units as nested nodes {unit, children}, each level sorted by name."""
    mine = [unit for unit in all_units if unit.id in administrable]
    nodes: dict[int, dict[str, Any]] = {u.id: {"unit": u, "children": []} for u in mine}
    roots: list[dict[str, Any]] = []
    for unit in mine:
        parent = nodes.get(unit.parent_id) if unit.parent_id is not None else None
        (parent["children"] if parent else roots).append(nodes[unit.id])
    return roots


def _subtree(all_units: list[UnitRead], unit_id: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for unit in all_units:
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, []).append(unit.id)
    found, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return found


def _units_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    all_units = _visible_units(session, principal)
    return render(
        request,
        "admin/units.html",
        principal,
        status_code=status_code,
        tree=_unit_tree(all_units, principal.administrable),
        parents=lookups.administered_units(session, principal),
        values=values or {},
        errors=errors or {},
        notice="The unit was deleted." if request.query_params.get("deleted") else None,
    )


@router.get("/units")
def unit_tree(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The administered part of the unit tree and the form for a new unit."""
    principal.require_admin()
    return _units_page(request, session, principal)


@router.post("/units/new", dependencies=[CsrfChecked])
async def create_unit(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Create a unit below a parent; errors are shown on the form that sent it."""
    principal.require_admin()
    values = form_values(await request.form(), ints=("parent_id",))
    try:
        unit = save(
            session,
            lambda: units.create_unit(
                session=session, principal=principal, data=UnitCreate(**values)
            ),
            unit_field="parent_id",
        )
    except Refused as refused:
        errors, status = refused.errors, refused.status
        if request.query_params.get("from") == "unit" and isinstance(values.get("parent_id"), int):
            return _unit_page(
                request,
                session,
                principal,
                values["parent_id"],
                child_values=values,
                child_errors=errors,
                status_code=status,
            )
        return _units_page(
            request, session, principal, values=values, errors=errors, status_code=status
        )
    return RedirectResponse(f"/admin/units/{unit.id}?created=1", status_code=303)


def _unit_page(
    request: Request,
    session: Session,
    principal: Principal,
    unit_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    child_values: dict[str, Any] | None = None,
    child_errors: dict[str, str] | None = None,
    delete_error: str | None = None,
    status_code: int = 200,
) -> Response:
    principal.require_admin()
    unit = units.get_unit(session=session, principal=principal, unit_id=unit_id)
    principal.require_admin(unit.id)
    all_units = _visible_units(session, principal)
    names = {u.id: u.name for u in all_units}
    below = _subtree(all_units, unit.id)
    movable = unit.parent_id is not None
    parent_choices = [
        (u.id, u.name) for u in all_units if u.id in principal.administrable and u.id not in below
    ]
    if unit.parent_id is not None and unit.parent_id not in dict(parent_choices):
        parent_choices.insert(0, (unit.parent_id, names.get(unit.parent_id, OUTSIDE)))
    members = users.list_administered_users(
        session=session, principal=principal, query=UserQuery(limit=1, unit_id=unit.id)
    )
    notice = None
    if request.query_params.get("created"):
        notice = "The unit was created."
    elif request.query_params.get("saved"):
        notice = "The unit was saved."
    return render(
        request,
        "admin/unit.html",
        principal,
        status_code=status_code,
        unit=unit,
        parent_name=names.get(unit.parent_id, OUTSIDE) if unit.parent_id else None,
        children=[u for u in all_units if u.parent_id == unit.id],
        member_count=members.total,
        movable=movable,
        parent_choices=parent_choices,
        values=values or unit.model_dump(mode="json"),
        errors=errors or {},
        child_values=child_values or {},
        child_errors=child_errors or {},
        delete_error=delete_error,
        notice=notice,
    )


@router.get("/units/{unit_id}")
def unit_detail(
    unit_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """One unit with its sub-units and the forms to change, move or delete it."""
    return _unit_page(request, session, principal, unit_id)


@router.post("/units/{unit_id}/edit", dependencies=[CsrfChecked])
async def update_unit(
    unit_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Rename, describe or move a unit."""
    principal.require_admin()
    current = units.get_unit(session=session, principal=principal, unit_id=unit_id)
    form = await request.form()
    values = form_values(form, ints=("parent_id",))
    changes: dict[str, Any] = {
        "name": values.get("name", ""),
        "description": values.get("description", ""),
    }
    if "parent_id" in values and values["parent_id"] != current.parent_id:
        changes["parent_id"] = values["parent_id"]
    try:
        save(
            session,
            lambda: units.update_unit(
                session=session, principal=principal, unit_id=unit_id, data=UnitUpdate(**changes)
            ),
            unit_field="parent_id",
        )
    except Refused as refused:
        return _unit_page(
            request,
            session,
            principal,
            unit_id,
            values={**current.model_dump(mode="json"), **values},
            errors=refused.errors,
            status_code=refused.status,
        )
    return RedirectResponse(f"/admin/units/{unit_id}?saved=1", status_code=303)


@router.post("/units/{unit_id}/delete", dependencies=[CsrfChecked])
def delete_unit(
    unit_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Delete an empty unit (the page asks for confirmation first)."""
    principal.require_admin()
    unit = units.get_unit(session=session, principal=principal, unit_id=unit_id)
    principal.require_admin(unit.id)
    children = units.list_units(
        session=session, principal=principal, query=UnitQuery(parent_id=unit.id, limit=1)
    )
    members = users.list_administered_users(
        session=session, principal=principal, query=UserQuery(limit=1, unit_id=unit.id)
    )
    message = None
    if children.total:
        message = f"“{unit.name}” has sub-units; move or delete them before deleting it."
    elif members.total:
        message = (
            f"“{unit.name}” still has {members.total} user(s) with a role on it; "
            "revoke those roles before deleting it."
        )
    if message:
        return _unit_page(
            request, session, principal, unit_id, delete_error=message, status_code=409
        )
    try:
        in_savepoint(
            session,
            lambda: units.delete_unit(session=session, principal=principal, unit_id=unit_id),
        )
    except Conflict as exc:
        return _unit_page(
            request, session, principal, unit_id, delete_error=exc.message, status_code=409
        )
    return RedirectResponse("/admin/units?deleted=1", status_code=303)
