"""Administration pages: users and their roles, the unit tree and the risk matrix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal, Role
from aegis.core.errors import AegisError, Conflict, NotFound, ValidationFailed
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import MAX_LEVELS, MIN_LEVELS, RiskMatrix
from aegis.domains.units import service as units
from aegis.domains.units.schemas import UnitCreate, UnitQuery, UnitRead, UnitUpdate
from aegis.domains.users import service as users
from aegis.domains.users.schemas import (
    MIN_PASSWORD_LENGTH,
    RoleAssignmentCreate,
    RoleAssignmentQuery,
    UserCreate,
    UserQuery,
    UserUpdate,
)
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.forms import field_errors, form_values
from aegis.web.lists import all_rows, csv_export, list_query
from aegis.web.templating import render

router = APIRouter(prefix="/admin")
T = TypeVar("T")

USER_CSV_COLUMNS = ("id", "name", "email", "is_active", "created_at", "last_login_at")
ROLES = [(role.value, role.value.capitalize()) for role in Role]
ACTIVE_CHOICES = [("true", "Active"), ("false", "Disabled")]
BAND_FIELDS = ("name", "min_score", "max_score", "color")
SPARE_BANDS = 2
CELL_WIDTH, CELL_HEIGHT, AXIS = 76, 50, 34
OUTSIDE = "A unit outside your scope"
FIELDLESS = ("status", "revoke")


def _saved(session: Session, action: Callable[[], T]) -> T:
    """Run a change in a savepoint so that a refused change leaves nothing behind."""
    with session.begin_nested():
        return action()


def _status(exc: AegisError | ValidationError) -> int:
    return 409 if isinstance(exc, Conflict) else 422


def _checked(form: Any, name: str) -> bool:
    """A checkbox: present when ticked, absent otherwise."""
    return form.get(name) is not None


# -- overview ------------------------------------------------------------------------------


@router.get("")
def overview(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """What an administrator manages, with counts and links."""
    principal.require_admin()
    everyone = users.list_administered_users(
        session=session, principal=principal, query=UserQuery(limit=1)
    )
    active = users.list_administered_users(
        session=session, principal=principal, query=UserQuery(limit=1, is_active=True)
    )
    matrix = risks.get_risk_matrix(session=session)
    return render(
        request,
        "admin/index.html",
        principal,
        user_count=everyone.total,
        active_count=active.total,
        unit_count=len(lookups.administered_units(session, principal)),
        matrix=matrix,
        root_admin=_is_root_admin(session, principal),
    )


# -- users ---------------------------------------------------------------------------------


@router.get("/users")
def user_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Users with a role on the administered units; `format=csv` downloads them all."""
    principal.require_admin()
    revoked = request.query_params.get("revoked") == "1"
    if revoked:  # asks for the notice after revoking a user's last role; not a filter
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "revoked"]
        request = Request({**request.scope, "query_string": urlencode(params).encode()})
    query = list_query(request, UserQuery, sort="name")
    if request.query_params.get("format") == "csv":
        rows = all_rows(
            lambda q: users.list_administered_users(session=session, principal=principal, query=q),
            query,
        )
        return csv_export("users.csv", USER_CSV_COLUMNS, rows)
    page = users.list_administered_users(session=session, principal=principal, query=query)
    return render(
        request,
        "admin/users.html",
        principal,
        page=page,
        query=query,
        units=lookups.administered_units(session, principal),
        active_choices=ACTIVE_CHOICES,
        revoked=revoked,
    )


def _user_form(
    request: Request,
    session: Session,
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/user_form.html",
        principal,
        status_code=status_code,
        values=values,
        errors=errors,
        roles=ROLES,
        units=lookups.administered_units(session, principal),
        min_password=MIN_PASSWORD_LENGTH,
    )


@router.get("/users/new")
def new_user(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form for a new user and their first role."""
    principal.require_admin()
    values = {"role": Role.ANALYST.value, "include_children": True}
    return _user_form(request, session, principal, values, {})


@router.post("/users/new", dependencies=[CsrfChecked])
async def create_user(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Create the user, or show the form again with the errors (nothing saved)."""
    principal.require_admin()
    form = await request.form()
    values = form_values(form, ints=("unit_id",))
    values["include_children"] = _checked(form, "include_children")
    password = str(form.get("password") or "")  # kept exactly as typed
    data = {key: values[key] for key in ("email", "name", "role", "unit_id") if key in values}
    try:
        if password != str(form.get("confirm_password") or ""):
            raise ValidationFailed("The two passwords differ", field="confirm_password")
        user = _saved(
            session,
            lambda: users.create_user(
                session=session,
                principal=principal,
                data=UserCreate(
                    **data, password=password, include_children=values["include_children"]
                ),
            ),
        )
    except (ValidationError, ValidationFailed, Conflict) as exc:
        shown = {k: v for k, v in values.items() if k not in ("password", "confirm_password")}
        return _user_form(request, session, principal, shown, field_errors(exc), _status(exc))
    return RedirectResponse(f"/admin/users/{user.id}?created=1", status_code=303)


def _user_page(
    request: Request,
    session: Session,
    principal: Principal,
    user_id: int,
    *,
    errors: dict[str, str] | None = None,
    failed: str | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Response:
    user = users.get_administered_user(session=session, principal=principal, user_id=user_id)
    assignments = users.list_assignments(
        session=session,
        principal=principal,
        query=RoleAssignmentQuery(user_id=user_id, limit=200, sort="role"),
    )
    return render(
        request,
        "admin/user.html",
        principal,
        status_code=status_code,
        user=user,
        assignments=assignments.items,
        manages_all=users.administers_all_roles_of(
            session=session, principal=principal, user_id=user_id
        ),
        is_self=user.id == principal.user_id,
        unit_names=lookups.unit_names(session, principal),
        units=lookups.administered_units(session, principal),
        roles=ROLES,
        errors=errors or {},
        failed=failed,
        values=values or {"include_children": True, "name": user.name, "role": Role.ANALYST.value},
        notice=_notice(request),
        min_password=MIN_PASSWORD_LENGTH,
    )


NOTICES = {
    "created": "The user was created. They can sign in with the password you set.",
    "granted": "The role was granted.",
    "revoked": "The role was revoked.",
    "disabled": "The user was disabled and signed out everywhere.",
    "enabled": "The user was enabled.",
    "password": "The password was set; the user's sessions have ended.",
    "renamed": "The name was saved.",
}


def _notice(request: Request) -> str | None:
    for key, message in NOTICES.items():
        if request.query_params.get(key):
            return message
    return None


@router.get("/users/{user_id}")
def user_detail(
    user_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """A user with their roles and the forms that change them."""
    return _user_page(request, session, principal, user_id)


def _user_change(
    request: Request,
    session: Session,
    principal: Principal,
    user_id: int,
    section: str,
    change: Callable[[], Any],
    done: str,
    values: dict[str, Any] | None = None,
) -> Response:
    """Apply one change of the user page; show the page again with errors if it is refused."""
    users.get_administered_user(session=session, principal=principal, user_id=user_id)
    try:
        _saved(session, change)
    except (ValidationError, ValidationFailed, Conflict) as exc:
        errors = field_errors(exc)
        if section in FIELDLESS:  # forms without fields: one message for the section
            errors = {section: " ".join(dict.fromkeys(errors.values()))}
        elif "__all__" in errors:
            errors[section] = errors.pop("__all__")
        return _user_page(
            request,
            session,
            principal,
            user_id,
            errors=errors,
            failed=section,
            status_code=_status(exc),
            values=values,
        )
    return RedirectResponse(f"/admin/users/{user_id}?{done}=1", status_code=303)


@router.post("/users/{user_id}/name", dependencies=[CsrfChecked])
async def rename_user(
    user_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Change the user's display name."""
    values = form_values(await request.form())
    return _user_change(
        request,
        session,
        principal,
        user_id,
        "profile",
        lambda: users.update_user(
            session=session,
            principal=principal,
            user_id=user_id,
            data=UserUpdate(name=values.get("name", "")),
        ),
        "renamed",
        values={"include_children": True, **values},
    )


@router.post("/users/{user_id}/roles", dependencies=[CsrfChecked])
async def grant_role(
    user_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Grant the user a role on a unit."""
    form = await request.form()
    values = form_values(form, ints=("unit_id",))
    values["include_children"] = _checked(form, "include_children")
    return _user_change(
        request,
        session,
        principal,
        user_id,
        "grant",
        lambda: users.grant_role(
            session=session,
            principal=principal,
            data=RoleAssignmentCreate(
                **{k: values[k] for k in ("role", "unit_id") if k in values},
                user_id=user_id,
                include_children=values["include_children"],
            ),
        ),
        "granted",
        values=values,
    )


@router.post("/users/{user_id}/roles/{assignment_id}/revoke", dependencies=[CsrfChecked])
def revoke_role(
    user_id: int,
    assignment_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Revoke one of the user's roles (the page asks for confirmation first)."""
    users.get_administered_user(session=session, principal=principal, user_id=user_id)
    mine = users.list_assignments(
        session=session,
        principal=principal,
        query=RoleAssignmentQuery(user_id=user_id, limit=200),
    )
    if assignment_id not in {a.id for a in mine.items}:
        raise NotFound("Role assignment not found")
    response = _user_change(
        request,
        session,
        principal,
        user_id,
        "revoke",
        lambda: users.revoke_role(
            session=session, principal=principal, assignment_id=assignment_id
        ),
        "revoked",
    )
    return _after_revoke(session, principal, user_id, response)


def _after_revoke(
    session: Session, principal: Principal, user_id: int, response: Response
) -> Response:
    """Back to the user, or to the list when their last role in the caller's units is gone."""
    if response.status_code != 303:
        return response
    remaining = users.list_assignments(
        session=session,
        principal=principal,
        query=RoleAssignmentQuery(user_id=user_id, limit=1),
    )
    if remaining.total == 0:
        return RedirectResponse("/admin/users?revoked=1", status_code=303)
    return response


@router.post("/users/{user_id}/status", dependencies=[CsrfChecked])
async def set_status(
    user_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Disable (ending every session of the user) or enable a user; the page confirms first."""
    values = form_values(await request.form())
    active = {"true": True, "false": False}.get(str(values.get("is_active")))

    def change() -> Any:
        if active is None:
            raise ValidationFailed("Choose to enable or to disable the user", field="is_active")
        return users.update_user(
            session=session,
            principal=principal,
            user_id=user_id,
            data=UserUpdate(is_active=active),
        )

    return _user_change(
        request, session, principal, user_id, "status", change, "enabled" if active else "disabled"
    )


@router.post("/users/{user_id}/password", dependencies=[CsrfChecked])
async def set_password(
    user_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Set a new password for the user; their sessions end."""
    form = await request.form()
    password = str(form.get("password") or "")
    confirm = str(form.get("confirm_password") or "")

    def change() -> Any:
        if password != confirm:
            raise ValidationFailed("The two passwords differ", field="confirm_password")
        if not password:
            raise ValidationFailed("Enter the new password", field="password")
        return users.update_user(
            session=session,
            principal=principal,
            user_id=user_id,
            data=UserUpdate(password=password),
        )

    return _user_change(request, session, principal, user_id, "password", change, "password")


# -- units ---------------------------------------------------------------------------------


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
        unit = _saved(
            session,
            lambda: units.create_unit(
                session=session, principal=principal, data=UnitCreate(**values)
            ),
        )
    except (ValidationError, ValidationFailed, Conflict) as exc:
        errors, status = field_errors(exc), _status(exc)
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
    unit_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """One unit with its sub-units and the forms to change, move or delete it."""
    return _unit_page(request, session, principal, unit_id)


@router.post("/units/{unit_id}/edit", dependencies=[CsrfChecked])
async def update_unit(
    unit_id: int, request: Request, session: SessionDep, principal: WebPrincipal
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
        _saved(
            session,
            lambda: units.update_unit(
                session=session, principal=principal, unit_id=unit_id, data=UnitUpdate(**changes)
            ),
        )
    except (ValidationError, ValidationFailed, Conflict) as exc:
        return _unit_page(
            request,
            session,
            principal,
            unit_id,
            values={**current.model_dump(mode="json"), **values},
            errors=field_errors(exc),
            status_code=_status(exc),
        )
    return RedirectResponse(f"/admin/units/{unit_id}?saved=1", status_code=303)


@router.post("/units/{unit_id}/delete", dependencies=[CsrfChecked])
def delete_unit(
    unit_id: int, request: Request, session: SessionDep, principal: WebPrincipal
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
        _saved(
            session,
            lambda: units.delete_unit(session=session, principal=principal, unit_id=unit_id),
        )
    except Conflict as exc:
        return _unit_page(
            request, session, principal, unit_id, delete_error=exc.message, status_code=409
        )
    return RedirectResponse("/admin/units?deleted=1", status_code=303)


# -- risk matrix -----------------------------------------------------------------------------


def _is_root_admin(session: Session, principal: Principal) -> bool:
    root = units.root_unit_id(session=session)
    return root is not None and root in principal.administrable


def _text_colour(hex_colour: str) -> str:
    """Black or white, whichever contrasts more with the background colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def _grid(matrix: RiskMatrix) -> dict[str, Any]:
    """Cells of the likelihood × impact grid with their band, laid out for the SVG."""
    cells = []
    counts: dict[str, int] = {band.name: 0 for band in matrix.bands}
    for likelihood in range(matrix.likelihood_levels, 0, -1):
        row = matrix.likelihood_levels - likelihood
        for impact in range(1, matrix.impact_levels + 1):
            score = likelihood * impact
            band = next(
                (b for b in matrix.bands if b.min_score <= score <= b.max_score), matrix.bands[-1]
            )
            counts[band.name] = counts.get(band.name, 0) + 1
            short = band.name if len(band.name) <= 9 else band.name[:8] + "…"
            cells.append(
                {
                    "x": AXIS + (impact - 1) * CELL_WIDTH,
                    "y": row * CELL_HEIGHT,
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": score,
                    "band": band.name,
                    "short": short,
                    "fill": band.color,
                    "ink": _text_colour(band.color),
                }
            )
    width = AXIS + matrix.impact_levels * CELL_WIDTH
    height = matrix.likelihood_levels * CELL_HEIGHT + AXIS
    return {
        "cells": cells,
        "counts": counts,
        "width": width,
        "height": height,
        "cell_width": CELL_WIDTH,
        "cell_height": CELL_HEIGHT,
        "axis": AXIS,
        "rows": [
            (likelihood, (matrix.likelihood_levels - likelihood) * CELL_HEIGHT)
            for likelihood in range(matrix.likelihood_levels, 0, -1)
        ],
        "columns": [
            (impact, AXIS + (impact - 1) * CELL_WIDTH)
            for impact in range(1, matrix.impact_levels + 1)
        ],
    }


def _matrix_values(matrix: RiskMatrix) -> dict[str, Any]:
    return {
        "likelihood_levels": matrix.likelihood_levels,
        "impact_levels": matrix.impact_levels,
        "appetite_score": matrix.appetite_score,
        "bands": [band.model_dump() for band in matrix.bands],
    }


def _matrix_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    principal.require_admin()
    matrix = risks.get_risk_matrix(session=session)
    shown = values or _matrix_values(matrix)
    bands = list(shown["bands"])
    blank = {"name": "", "min_score": "", "max_score": "", "color": "#607d8b"}
    bands += [dict(blank) for _ in range(SPARE_BANDS)]
    return render(
        request,
        "admin/risk_matrix.html",
        principal,
        status_code=status_code,
        matrix=matrix,
        grid=_grid(matrix),
        can_edit=_is_root_admin(session, principal),
        values=shown,
        band_rows=bands,
        errors=errors or {},
        min_levels=MIN_LEVELS,
        max_levels=MAX_LEVELS,
        saved=bool(request.query_params.get("saved")),
    )


@router.get("/risk-matrix")
def risk_matrix(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The matrix as a coloured grid with its bands; the root administrator may edit it."""
    return _matrix_page(request, session, principal)


def _number(text: Any) -> Any:
    value = str(text or "").strip()
    return int(value) if value.lstrip("-").isdigit() else value


def _matrix_form(form: Any) -> tuple[dict[str, Any], list[int]]:
    """The submitted matrix, and for each kept band the row of the form it came from."""
    rows: dict[int, dict[str, Any]] = {}
    for key in form:
        parts = str(key).split(".")
        if (
            len(parts) == 3
            and parts[0] == "bands"
            and parts[1].isdigit()
            and parts[2] in BAND_FIELDS
        ):
            rows.setdefault(int(parts[1]), {})[parts[2]] = str(form.get(key) or "").strip()
    bands, origin = [], []
    for index in sorted(rows):
        row = rows[index]
        if not any(row.get(name) for name in ("name", "min_score", "max_score")):
            continue
        bands.append(
            {
                "name": row.get("name", ""),
                "min_score": _number(row.get("min_score")),
                "max_score": _number(row.get("max_score")),
                "color": row.get("color", ""),
            }
        )
        origin.append(index)
    values: dict[str, Any] = {
        name: _number(form.get(name))
        for name in ("likelihood_levels", "impact_levels", "appetite_score")
    }
    if values["appetite_score"] == "":
        del values["appetite_score"]
    values["bands"] = bands
    return values, origin


def _matrix_errors(exc: AegisError | ValidationError, origin: list[int]) -> dict[str, str]:
    """Errors keyed by the form's own field names (band rows numbered as on the form)."""
    raw: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "__all__"
            raw.setdefault(field, error["msg"].removeprefix("Value error, "))
    else:
        raw = field_errors(exc)
    errors: dict[str, str] = {}
    for field, message in raw.items():
        parts = field.split(".")
        if len(parts) >= 2 and parts[0] == "bands" and parts[1].isdigit():
            index = int(parts[1])
            parts[1] = str(origin[index] if index < len(origin) else index)
            if len(parts) == 2:
                parts.append("name")
        errors.setdefault(".".join(parts), message)
    if isinstance(exc, AegisError):
        errors.setdefault("__all__", exc.message)
    return errors


@router.post("/risk-matrix", dependencies=[CsrfChecked])
async def update_risk_matrix(
    request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the matrix (administrator of the root unit only) or show why it was refused."""
    root = units.root_unit_id(session=session)
    principal.require_admin(root if root is not None else -1)
    values, origin = _matrix_form(await request.form())
    try:
        _saved(
            session,
            lambda: risks.update_risk_matrix(
                session=session, principal=principal, data=RiskMatrix(**values)
            ),
        )
    except (ValidationError, ValidationFailed, Conflict) as exc:
        shown = {**values, "appetite_score": values.get("appetite_score", "")}
        shown["bands"] = _rows_as_on_form(values["bands"], origin)
        return _matrix_page(
            request,
            session,
            principal,
            values=shown,
            errors=_matrix_errors(exc, origin),
            status_code=_status(exc),
        )
    return RedirectResponse("/admin/risk-matrix?saved=1", status_code=303)


def _rows_as_on_form(bands: list[dict[str, Any]], origin: list[int]) -> list[dict[str, Any]]:
    """The kept bands placed back at their form row numbers (blank rows in between)."""
    if not origin:
        return []
    rows: list[dict[str, Any]] = [
        {"name": "", "min_score": "", "max_score": "", "color": "#607d8b"}
        for _ in range(max(origin) + 1)
    ]
    for band, index in zip(bands, origin, strict=True):
        rows[index] = band
    return rows
