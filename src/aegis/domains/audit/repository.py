"""Names of the objects audit events refer to, read in one query for a whole page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Select, exists, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, in_units
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

Ids = list[int]
Named = Callable[[Ids, Principal], Select[Any]]
NO_DETAIL = null()  # no collation of its own, so MariaDB can mix it with any text column


def _kind(kind: str) -> Any:
    return literal_column(f"'{kind}'").label("kind")


def _scoped(
    kind: str, name: Any, detail: Any, model: Any, unit: Any, shared: bool = False
) -> Named:
    """Objects of one table whose unit the reader can read (or shares, for frameworks)."""

    def named(ids: Ids, principal: Principal) -> Select[Any]:
        units = principal.shared_with if shared else principal.readable
        return select(_kind(kind), model.id, name, detail).where(
            model.id.in_(ids), in_units(unit, units)
        )

    return named


def _users(ids: Ids, principal: Principal) -> Select[Any]:
    """People holding a role in one of the reader's units."""
    held = exists().where(
        RoleAssignment.user_id == User.id, in_units(RoleAssignment.unit_id, principal.readable)
    )
    return select(_kind("user"), User.id, User.name, NO_DETAIL).where(User.id.in_(ids), held)


def _requirements(ids: Ids, principal: Principal) -> Select[Any]:
    """Requirements of frameworks shared with the reader."""
    return (
        select(_kind("requirement"), Requirement.id, Requirement.ref_id, Requirement.title)
        .join(Framework, Framework.id == Requirement.framework_id)
        .where(Requirement.id.in_(ids), in_units(Framework.unit_id, principal.shared_with))
    )


NAMED: dict[str, Named] = {
    "user": _users,
    "unit": _scoped("unit", Unit.name, NO_DETAIL, Unit, Unit.id),
    "risk": _scoped("risk", Risk.title, NO_DETAIL, Risk, Risk.unit_id),
    "asset": _scoped("asset", Asset.name, NO_DETAIL, Asset, Asset.unit_id),
    "control": _scoped("control", Control.ref, Control.title, Control, Control.unit_id),
    "task": _scoped("task", Task.title, NO_DETAIL, Task, Task.unit_id),
    "evidence": _scoped("evidence", Evidence.title, NO_DETAIL, Evidence, Evidence.unit_id),
    "assessment": _scoped("assessment", Assessment.name, NO_DETAIL, Assessment, Assessment.unit_id),
    "framework": _scoped(
        "framework", Framework.name, Framework.version, Framework, Framework.unit_id, shared=True
    ),
    "requirement": _requirements,
}


def names(
    session: Session, principal: Principal, wanted: Mapping[str, set[int]]
) -> dict[tuple[str, int], tuple[str, str | None]]:
    """(name, detail) of the wanted objects the reader can see, by (kind, id), in one query."""
    parts = [NAMED[kind](sorted(ids), principal) for kind, ids in wanted.items() if ids]
    if not parts:
        return {}
    stmt: Any = parts[0] if len(parts) == 1 else union_all(*parts)
    return {(kind, int(id_)): (name, detail) for kind, id_, name, detail in session.execute(stmt)}
