"""The look-ups of an import, a few queries per file whatever its number of rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Table, exists, func, or_, select
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.models import (
    Asset,
    Control,
    RoleAssignment,
    User,
    asset_dependencies,
    asset_tags,
    risk_assets,
    risk_controls,
)

# values per IN (...) list: a file of that many rows is one query, and two bound parameters
# per value stay far below the limit of every engine
CHUNK = 5000


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _matching(column: Any, texts: list[str]) -> Any:
    """Rows whose column equals one of the texts, as typed or ignoring case."""
    return or_(column.in_(texts), func.lower(column).in_([t.lower() for t in texts]))


def objects_by_ref(
    session: Session, model: Any, units: frozenset[int], refs: Iterable[str]
) -> list[Any]:
    """Objects of these units whose reference is one of these, in a query per 5,000."""
    found: dict[int, Any] = {}
    for chunk in _chunks(refs):
        stmt = select(model).where(in_units(model.unit_id, units), _matching(model.ref, chunk))
        found.update((obj.id, obj) for obj in session.scalars(stmt))
    return list(found.values())


def named_objects(
    session: Session, model: Any, title: Any, units: frozenset[int], texts: Iterable[str]
) -> list[tuple[int, int, str, str]]:
    """(id, unit, ref, title) of the objects of these units named or referenced by the texts."""
    found: dict[int, tuple[int, int, str, str]] = {}
    for chunk in _chunks(texts):
        stmt = select(model.id, model.unit_id, model.ref, title).where(
            in_units(model.unit_id, units),
            or_(_matching(model.ref, chunk), _matching(title, chunk)),
        )
        found.update((row[0], (row[0], row[1], row[2], row[3])) for row in session.execute(stmt))
    return list(found.values())


def titles_by_id(
    session: Session, model: Any, title: Any, ids: Iterable[int], units: frozenset[int]
) -> dict[int, str]:
    """Titles of those of these objects that belong to these units."""
    found: dict[int, str] = {}
    for chunk in _chunks(ids):
        stmt = select(model.id, title).where(model.id.in_(chunk), in_units(model.unit_id, units))
        found.update({object_id: name for object_id, name in session.execute(stmt)})
    return found


def users_by_id(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(name, e-mail) of these users."""
    found: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(ids):
        stmt = select(User.id, User.name, User.email).where(User.id.in_(chunk))
        found.update((row[0], (row[1], row[2])) for row in session.execute(stmt))
    return found


def people(
    session: Session, units: frozenset[int], texts: Iterable[str]
) -> list[tuple[int, str, str]]:
    """(id, name, e-mail) of users holding a role in these units, named by name or e-mail."""
    holds = exists().where(
        RoleAssignment.user_id == User.id, in_units(RoleAssignment.unit_id, units)
    )
    found: dict[int, tuple[int, str, str]] = {}
    for chunk in _chunks(texts):
        stmt = select(User.id, User.name, User.email).where(
            holds, or_(_matching(User.email, chunk), _matching(User.name, chunk))
        )
        found.update((row[0], (row[0], row[1], row[2])) for row in session.execute(stmt))
    return list(found.values())


def asset_tags_of(session: Session, asset_ids: Iterable[int]) -> dict[int, list[str]]:
    """Tags of these assets."""
    found: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(asset_ids):
        stmt = select(asset_tags.c.asset_id, asset_tags.c.tag).where(
            asset_tags.c.asset_id.in_(chunk)
        )
        for asset_id, tag in session.execute(stmt):
            found[asset_id].append(tag)
    return found


LINK_TABLES: dict[str, tuple[Table, str, str, Any]] = {
    "depends_on_ids": (asset_dependencies, "asset_id", "depends_on_id", Asset),
    "asset_ids": (risk_assets, "risk_id", "asset_id", Asset),
    "control_ids": (risk_controls, "risk_id", "control_id", Control),
}


def visible_links(
    session: Session, field: str, owner_ids: Iterable[int], units: frozenset[int]
) -> dict[int, set[int]]:
    """The links of these owners to objects of these units, for one link field.

    The links are read by owner, then their targets kept if visible: joined in one query,
    SQLite would probe every pair of an owner and a visible object.
    """
    table, owner, target, model = LINK_TABLES[field]
    pairs: list[tuple[int, int]] = []
    for chunk in _chunks(owner_ids):
        stmt = select(table.c[owner], table.c[target]).where(table.c[owner].in_(chunk))
        pairs.extend((owner_id, target_id) for owner_id, target_id in session.execute(stmt))
    visible: set[int] = set()
    for chunk in _chunks(target_id for _, target_id in pairs):
        stmt = select(model.id).where(model.id.in_(chunk), in_units(model.unit_id, units))
        visible.update(session.scalars(stmt))
    found: dict[int, set[int]] = defaultdict(set)
    for owner_id, target_id in pairs:
        if target_id in visible:
            found[owner_id].add(target_id)
    return found
