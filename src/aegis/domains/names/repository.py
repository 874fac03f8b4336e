"""One query per kind of object: the names of the wanted ids the reader may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, in_units
from aegis.domains.names.schemas import RefKind
from aegis.models import Asset, Control, Framework, Requirement, Risk, RoleAssignment, Unit, User

CHUNK = 500
Named = Callable[[list[int], Principal], Select[int, str]]


def _users(ids: list[int], principal: Principal) -> Select[int, str]:
    """People holding a role in one of the reader's units."""
    held = exists().where(
        RoleAssignment.user_id == User.id, in_units(RoleAssignment.unit_id, principal.readable)
    )
    return select(User.id, User.name).where(User.id.in_(ids), held)


def _in_units(model: Any, name: Any) -> Named:
    """Objects of one table whose unit the reader can read."""

    def named(ids: list[int], principal: Principal) -> Select[int, str]:
        return select(model.id, name).where(
            model.id.in_(ids), in_units(model.unit_id, principal.readable)
        )

    return named


def _units(ids: list[int], principal: Principal) -> Select[int, str]:
    return select(Unit.id, Unit.name).where(Unit.id.in_(ids), in_units(Unit.id, principal.readable))


def _frameworks(ids: list[int], principal: Principal) -> Select[int, str]:
    """Frameworks shared with the reader, by name and version."""
    return select(Framework.id, Framework.name + " " + Framework.version).where(
        Framework.id.in_(ids), in_units(Framework.unit_id, principal.shared_with)
    )


def _requirements(ids: list[int], principal: Principal) -> Select[int, str]:
    """Requirements of frameworks shared with the reader, by framework and reference."""
    return (
        select(Requirement.id, Framework.name + " " + Requirement.ref_id)
        .join(Framework, Framework.id == Requirement.framework_id)
        .where(Requirement.id.in_(ids), in_units(Framework.unit_id, principal.shared_with))
    )


NAMED: dict[RefKind, Named] = {
    "user": _users,
    "unit": _units,
    "asset": _in_units(Asset, Asset.name),
    "control": _in_units(Control, Control.ref),
    "risk": _in_units(Risk, Risk.title),
    "requirement": _requirements,
    "framework": _frameworks,
}


def names(session: Session, principal: Principal, kind: RefKind, ids: set[int]) -> dict[int, str]:
    """{id: name} of the wanted objects of one kind the reader can see (one query per 500)."""
    wanted = sorted(ids)
    found: dict[int, str] = {}
    for start in range(0, len(wanted), CHUNK):
        stmt = NAMED[kind](wanted[start : start + CHUNK], principal)
        found.update((object_id, name) for object_id, name in session.execute(stmt))
    return found
