"""Use cases of organisational units."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, ancestors
from aegis.core.errors import Conflict, ValidationFailed
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.units import repository as repo
from aegis.domains.units.errors import UnitInUse, UnitNotFound
from aegis.domains.units.schemas import UnitCreate, UnitQuery, UnitRead, UnitUpdate
from aegis.models import Unit

FIELDS = ("name", "description", "parent_id")
SORTABLE = {"name": Unit.name, "id": Unit.id, "created_at": Unit.created_at}


def list_units(*, session: Session, principal: Principal, query: UnitQuery) -> Page[UnitRead]:
    """List the units the caller can see."""
    stmt = apply_sort(repo.filtered(principal, query), query.sort, SORTABLE, (Unit.id,))
    rows, total = fetch_page(session, stmt, query)
    return Page.of([UnitRead.model_validate(r) for r in rows], total, query)


def unit_names(*, session: Session, principal: Principal, unit_ids: set[int]) -> dict[int, str]:
    """Names of these units, those the caller can read only."""
    return repo.names(session, principal, unit_ids)


def _get(session: Session, principal: Principal, unit_id: int) -> Unit:
    unit = repo.get_visible(session, principal, unit_id)
    if unit is None:
        raise UnitNotFound("Unit not found")
    return unit


def get_unit(*, session: Session, principal: Principal, unit_id: int) -> UnitRead:
    """Return one visible unit."""
    return UnitRead.model_validate(_get(session, principal, unit_id))


def _flush_unique(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "A unit with this name already exists under that parent", details=[{"field": "name"}]
        ) from exc


def create_unit(*, session: Session, principal: Principal, data: UnitCreate) -> UnitRead:
    """Create a unit under a parent the caller administers."""
    principal.require_admin(data.parent_id)
    parent = repo.get_visible(session, principal, data.parent_id)
    if parent is None:
        raise ValidationFailed("Parent unit not found", field="parent_id")
    unit = Unit(name=data.name, description=data.description, parent_id=parent.id)
    session.add(unit)
    _flush_unique(session)
    record(session, principal, "create", "unit", unit.id, unit.id, after=snapshot(unit, FIELDS))
    return UnitRead.model_validate(unit)


def update_unit(
    *, session: Session, principal: Principal, unit_id: int, data: UnitUpdate
) -> UnitRead:
    """Rename, describe or move a unit the caller administers."""
    unit = _get(session, principal, unit_id)
    principal.require_admin(unit.id)
    before = snapshot(unit, FIELDS)
    changes = data.model_dump(exclude_unset=True)
    if "parent_id" in changes:
        new_parent = changes["parent_id"]
        if new_parent is None or unit.parent_id is None:
            raise ValidationFailed("The root unit stays the root", field="parent_id")
        principal.require_admin(new_parent)
        if unit.id in ancestors(new_parent, repo.parents(session)):
            raise ValidationFailed("A unit cannot move below itself", field="parent_id")
    for name, value in changes.items():
        if value is not None:
            setattr(unit, name, value)
    _flush_unique(session)
    record(session, principal, "update", "unit", unit.id, unit.id, before, snapshot(unit, FIELDS))
    return UnitRead.model_validate(unit)


def delete_unit(*, session: Session, principal: Principal, unit_id: int) -> None:
    """Delete an empty unit the caller administers."""
    unit = _get(session, principal, unit_id)
    principal.require_admin(unit.id)
    if unit.parent_id is None:
        raise UnitInUse("The root unit cannot be deleted")
    before = snapshot(unit, FIELDS)
    try:
        with session.begin_nested():
            session.delete(unit)
            session.flush()
    except IntegrityError as exc:
        raise UnitInUse("The unit still has sub-units, objects or role assignments") from exc
    record(session, principal, "delete", "unit", unit_id, unit.parent_id, before=before)


def resolve_unit_ref(*, session: Session, ref: str | None) -> Unit:
    """Find a unit by id or unique name; the root unit when no reference is given."""
    if ref is None:
        unit = repo.root(session)
        if unit is None:
            raise UnitNotFound("There is no root unit yet")
        return unit
    if ref.isdigit():
        found = session.get(Unit, int(ref))
        if found is not None:
            return found
    matches = repo.by_name(session, ref)
    if len(matches) > 1:
        raise ValidationFailed(f"Several units are named '{ref}'; use the id", field="unit")
    if not matches:
        raise UnitNotFound(f"No unit '{ref}'")
    return matches[0]


def create_root_unit(*, session: Session, name: str, description: str = "") -> Unit:
    """Create the top of the tree (used when setting up a new installation)."""
    if repo.root(session) is not None:
        raise Conflict("The root unit already exists")
    unit = Unit(name=name, description=description, parent_id=None)
    session.add(unit)
    session.flush()
    record(session, None, "create", "unit", unit.id, unit.id, after=snapshot(unit, FIELDS))
    return unit


def create_child_unit(
    *, session: Session, parent_id: int, name: str, description: str = ""
) -> Unit:
    """Create a unit below a parent from the console (no principal)."""
    unit = Unit(name=name, description=description, parent_id=parent_id)
    session.add(unit)
    _flush_unique(session)
    record(session, None, "create", "unit", unit.id, unit.id, after=snapshot(unit, FIELDS))
    return unit


def tree(*, session: Session) -> list[tuple[int, int, str]]:
    """Every unit as (depth, id, name) in depth-first order."""
    rows = session.execute(select(Unit.id, Unit.parent_id, Unit.name).order_by(Unit.name)).all()
    children: dict[int | None, list[tuple[int, str]]] = {}
    for unit_id, parent_id, name in rows:
        children.setdefault(parent_id, []).append((unit_id, name))
    ordered: list[tuple[int, int, str]] = []
    stack = [(0, uid, name) for uid, name in reversed(children.get(None, []))]
    while stack:
        depth, uid, name = stack.pop()
        ordered.append((depth, uid, name))
        stack.extend((depth + 1, c, n) for c, n in reversed(children.get(uid, [])))
    return ordered


def root_unit_id(*, session: Session) -> int | None:
    """The id of the top of the tree, if there is one."""
    root = repo.root(session)
    return root.id if root else None
