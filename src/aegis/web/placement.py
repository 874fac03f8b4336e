"""Which unit a new object goes to, and which of its links that unit hides it from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import WRITE_ROLES, Principal, ancestors
from aegis.core.errors import NotFound
from aegis.domains.assets import service as assets
from aegis.domains.controls import service as controls
from aegis.domains.risks import service as risks
from aegis.domains.units import service as units
from aegis.domains.users import service as users
from aegis.web.lookups import unit_names

CONFIRM = "keep_unit"
ASK = {"__all__": "Check the unit before saving: see the warning above the save button."}


@dataclass(frozen=True)
class Linked:
    """An object a form links to: how to name it, and its unit."""

    key: tuple[str, int]
    name: str
    unit_id: int


def _tree(session: Session) -> tuple[dict[int, int | None], dict[int, int]]:
    """Every unit's parent and depth, read from the tree in depth-first order."""
    parents: dict[int, int | None] = {}
    depths: dict[int, int] = {}
    path: list[int] = []
    for depth, unit_id, _ in units.tree(session=session):
        del path[depth:]
        parents[unit_id] = path[-1] if path else None
        depths[unit_id] = depth
        path.append(unit_id)
    return parents, depths


def own_unit(session: Session, principal: Principal) -> int | None:
    """The most specific unit where the user holds a role that may write (their own unit)."""
    _, depths = _tree(session)
    roles = users.me(session=session, principal=principal).roles
    held = {r.unit_id for r in roles if r.role in WRITE_ROLES and r.unit_id in principal.writable}
    candidates = held or set(principal.writable)
    if not candidates:
        return None
    return min(candidates, key=lambda unit_id: (-depths.get(unit_id, 0), unit_id))


def default_unit(session: Session, principal: Principal, values: Mapping[str, Any]) -> int | None:
    """The unit of the object the user came from when they may write there, else their own."""
    linked = linked_objects(session, principal, values)
    if linked and linked[0].unit_id in principal.writable:
        return linked[0].unit_id
    return own_unit(session, principal)


def _ids(value: Any) -> list[int]:
    if isinstance(value, int):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, int)]
    return []


def _keys(values: Mapping[str, Any]) -> set[tuple[str, int]]:
    """The linked objects named by form values, as (kind, id)."""
    kinds = {
        "asset": ("asset_ids", "depends_on_ids", "asset_id"),
        "control": ("control_ids", "control_id"),
        "risk": ("risk_id",),
    }
    return {
        (kind, i) for kind, keys in kinds.items() for key in keys for i in _ids(values.get(key))
    }


def linked_objects(
    session: Session, principal: Principal, values: Mapping[str, Any]
) -> list[Linked]:
    """The objects the form's values link to that the caller can see: risks, assets, controls."""
    keys = _keys(values)
    found: list[Linked] = []
    for _, risk_id in sorted(k for k in keys if k[0] == "risk"):
        try:
            risk = risks.get_risk(session=session, principal=principal, risk_id=risk_id)
        except NotFound:
            continue
        found.append(Linked(("risk", risk.id), f"risk “{risk.title}”", risk.unit_id))
    found += [
        Linked(("asset", a.id), f"asset “{a.name}”", a.unit_id)
        for a in assets.get_assets(
            session=session, principal=principal, asset_ids=[i for k, i in keys if k == "asset"]
        )
    ]
    found += [
        Linked(("control", c.id), f"control “{c.ref} {c.title}”", c.unit_id)
        for c in controls.get_controls(
            session=session, principal=principal, control_ids=[i for k, i in keys if k == "control"]
        )
    ]
    return found


def warnings(
    session: Session,
    principal: Principal,
    *,
    noun: str,
    values: Mapping[str, Any],
    before: Mapping[str, Any] | None = None,
) -> list[str]:
    """Linked objects whose readers would not see the object in its chosen unit.

    On an edit that keeps the unit only the newly linked objects are checked.
    """
    chosen = values.get("unit_id")
    unit_id = chosen if isinstance(chosen, int) else (before or {}).get("unit_id")
    linked = linked_objects(session, principal, values)
    if not isinstance(unit_id, int):
        if not linked:
            return []
        unit_id = linked[0].unit_id  # a new task goes to its first linked object's unit
    if before is not None and unit_id == before.get("unit_id"):
        old = _keys(before)
        linked = [link for link in linked if link.key not in old]
    parents, _ = _tree(session)
    above = ancestors(unit_id, parents)
    names = unit_names(session, principal)
    here = names.get(unit_id, "this unit")
    return [
        f"People who see {link.name} through {names.get(link.unit_id, 'its unit')} will not "
        f"see this {noun}: {here} is not {names.get(link.unit_id, 'that unit')} "
        "or a unit below it."
        for link in linked
        if link.unit_id not in above
    ]


def confirmed(form: Mapping[str, Any]) -> bool:
    """Whether the user ticked "save in this unit anyway"."""
    return form.get(CONFIRM) == "yes"


def unconfirmed(
    session: Session,
    principal: Principal,
    form: Mapping[str, Any],
    *,
    noun: str,
    values: Mapping[str, Any],
    before: Mapping[str, Any] | None = None,
) -> list[str]:
    """The warnings to show before saving, unless the user confirmed the unit."""
    if confirmed(form):
        return []
    return warnings(session, principal, noun=noun, values=values, before=before)


def from_url(params: Any, names: Mapping[str, str]) -> dict[str, Any]:
    """Links of a new object from the page it was opened from (e.g. ?asset_id=)."""
    values: dict[str, Any] = {}
    for param, key in names.items():
        ids = [int(v) for v in params.getlist(param) if str(v).isdigit()]
        if ids:
            values[key] = ids if key.endswith("_ids") else ids[0]
    return values
