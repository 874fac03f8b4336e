"""One select per kind of object: the wanted ids the reader may see, with their names.

Every select has the same columns (kind, id, name, detail, framework), so the selects of
several kinds are read together in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import Select, exists, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, in_units
from aegis.domains.names.schemas import Named
from aegis.models import (
    Assessment,
    Asset,
    Control,
    Evidence,
    Framework,
    Requirement,
    Risk,
    RoleAssignment,
    Task,
    Unit,
    User,
)

CHUNK = 500  # ids per select
PARTS = 10  # selects per query
NONE = null()  # no collation of its own, so MariaDB can mix it with any text column
Select5 = Select[Any]
Scoped = Callable[[list[int], Principal], Select5]


def _kind(kind: str) -> Any:
    return literal_column(f"'{kind}'").label("kind")


def _in_units(kind: str, model: Any, name: Any, detail: Any = NONE, shared: bool = False) -> Scoped:
    """Objects of one table in a unit the reader can read (or that shares them, frameworks)."""
    unit = model.id if model is Unit else model.unit_id

    def named(ids: list[int], principal: Principal) -> Select5:
        units = principal.shared_with if shared else principal.readable
        return select(_kind(kind), model.id, name, detail, NONE).where(
            model.id.in_(ids), in_units(unit, units)
        )

    return named


def _users(ids: list[int], principal: Principal) -> Select5:
    """People holding a role in one of the reader's units."""
    held = exists().where(
        RoleAssignment.user_id == User.id, in_units(RoleAssignment.unit_id, principal.readable)
    )
    return select(_kind("user"), User.id, User.name, NONE, NONE).where(User.id.in_(ids), held)


def _requirements(ids: list[int], principal: Principal) -> Select5:
    """Requirements of frameworks shared with the reader: reference, title and framework."""
    return (
        select(
            _kind("requirement"),
            Requirement.id,
            Requirement.ref_id,
            Requirement.title,
            Framework.name,
        )
        .join(Framework, Framework.id == Requirement.framework_id)
        .where(Requirement.id.in_(ids), in_units(Framework.unit_id, principal.shared_with))
    )


NAMED: dict[str, Scoped] = {
    "user": _users,
    "unit": _in_units("unit", Unit, Unit.name),
    "asset": _in_units("asset", Asset, Asset.name),
    "control": _in_units("control", Control, Control.ref, Control.title),
    "risk": _in_units("risk", Risk, Risk.title),
    "task": _in_units("task", Task, Task.title),
    "evidence": _in_units("evidence", Evidence, Evidence.title),
    "assessment": _in_units("assessment", Assessment, Assessment.name),
    "framework": _in_units("framework", Framework, Framework.name, Framework.version, True),
    "requirement": _requirements,
}


def _parts(wanted: Mapping[str, set[int]], principal: Principal) -> Iterator[Select5]:
    for kind, ids in wanted.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            yield NAMED[kind](ordered[start : start + CHUNK], principal)


def names(
    session: Session, principal: Principal, wanted: Mapping[str, set[int]]
) -> dict[tuple[str, int], Named]:
    """The wanted objects the reader can see, by (kind, id): one query for up to 5,000 ids."""
    parts = list(_parts(wanted, principal))
    found: dict[tuple[str, int], Named] = {}
    for start in range(0, len(parts), PARTS):
        group = parts[start : start + PARTS]
        stmt: Any = group[0] if len(group) == 1 else union_all(*group)
        for kind, object_id, name, detail, framework in session.execute(stmt):
            found[kind, int(object_id)] = Named(name, detail, framework)
    return found
