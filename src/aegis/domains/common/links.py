"""Many-to-many links seen through the caller's scope: an update replaces only what they see.

A link to an object in a unit the caller cannot read is neither shown to them (only
counted) nor removed by their edits: their list replaces the links they can see and the
hidden ones are kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field
from sqlalchemy import Select, Table, delete, insert, select
from sqlalchemy.orm import Session

from aegis.core.authz import in_units


@dataclass(frozen=True)
class LinkKind:
    """A link table: the owner's column, the linked object's column and where its unit is."""

    table: Table
    owner: str
    target: str
    target_units: Callable[[], Select[int, int]]  # (id, unit_id) of every linkable object


@dataclass
class Links:
    """The links of several owners, all of them and those the caller can see."""

    everything: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    visible: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    def hidden_count(self, owner_id: int) -> int:
        """How many links of this owner point to objects the caller cannot see."""
        return len(self.everything.get(owner_id, ())) - len(self.visible.get(owner_id, ()))


def load(session: Session, kind: LinkKind, owner_ids: list[int], units: frozenset[int]) -> Links:
    """The links of these owners in one query, split by whether their target is in `units`."""
    links = Links()
    if not owner_ids:
        return links
    owner, target = kind.table.c[kind.owner], kind.table.c[kind.target]
    targets = kind.target_units().subquery()
    stmt = (
        select(owner, target, targets.c.unit_id)
        .join(targets, targets.c.id == target)
        .where(owner.in_(sorted(set(owner_ids))))
        .order_by(target)
    )
    for owner_id, target_id, unit_id in session.execute(stmt):
        links.everything[owner_id].append(target_id)
        if unit_id in units:
            links.visible[owner_id].append(target_id)
    return links


def replace_visible(
    session: Session, kind: LinkKind, owner_id: int, wanted: Iterable[int], units: frozenset[int]
) -> None:
    """Make the owner's links to objects of `units` exactly `wanted`; keep all other links."""
    owner, target = kind.table.c[kind.owner], kind.table.c[kind.target]
    targets = kind.target_units().subquery()
    seen_ids = select(targets.c.id).where(in_units(targets.c.unit_id, units))
    session.execute(delete(kind.table).where(owner == owner_id, target.in_(seen_ids)))
    kept = set(session.scalars(select(target).where(owner == owner_id)))
    rows = [{kind.owner: owner_id, kind.target: t} for t in sorted(set(wanted) - kept)]
    if rows:
        session.execute(insert(kind.table), rows)


def hidden_counts(owner_id: int, **links: Links) -> dict[str, int]:
    """{field: number of links to objects the caller cannot see}, for the fields that have any."""
    counts = {name: found.hidden_count(owner_id) for name, found in links.items()}
    return {name: count for name, count in counts.items() if count}


def changed_values(changes: dict[str, Any], current: Any, names: Iterable[str]) -> dict[str, Any]:
    """The fields among `names` this update really changes (kept references need no check)."""
    return {
        name: changes[name]
        for name in names
        if name in changes and changes[name] != getattr(current, name)
    }


HIDDEN_LINKS_HELP = (
    "Links to objects in units you cannot access, counted per field. They are not listed in "
    "the id fields, and an update you send keeps them."
)


def hidden_links_field() -> Any:
    """The `hidden_links` field of a read schema."""
    return Field(default_factory=dict, description=HIDDEN_LINKS_HELP)
