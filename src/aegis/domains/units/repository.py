"""Queries of the units domain."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, in_units
from aegis.domains.common.listing import like_pattern
from aegis.domains.units.schemas import UnitQuery
from aegis.models import Unit


def visible(principal: Principal) -> Select[Unit]:
    """Units the principal can read."""
    return select(Unit).where(in_units(Unit.id, principal.readable))


def filtered(principal: Principal, query: UnitQuery) -> Select[Unit]:
    """Visible units matching the filters."""
    stmt = visible(principal)
    if query.parent_id is not None:
        stmt = stmt.where(Unit.parent_id == query.parent_id)
    if query.q:
        stmt = stmt.where(func.lower(Unit.name).like(like_pattern(query.q), escape="\\"))
    return stmt


def names(session: Session, principal: Principal, unit_ids: set[int]) -> dict[int, str]:
    """{id: name} of these units among those the principal can read, in one query."""
    wanted = frozenset(unit_ids) & principal.readable
    if not wanted:
        return {}
    stmt = select(Unit.id, Unit.name).where(in_units(Unit.id, wanted))
    return {unit_id: name for unit_id, name in session.execute(stmt)}


def get_visible(session: Session, principal: Principal, unit_id: int) -> Unit | None:
    """Return a unit if the principal can read it."""
    return session.scalar(visible(principal).where(Unit.id == unit_id))


def root(session: Session) -> Unit | None:
    """Return the top of the tree."""
    return session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))


def by_name(session: Session, name: str) -> list[Unit]:
    """Return all units with this name."""
    return list(session.scalars(select(Unit).where(Unit.name == name)))


def parents(session: Session) -> dict[int, int | None]:
    """Return the tree as {unit_id: parent_id}."""
    return {uid: parent for uid, parent in session.execute(select(Unit.id, Unit.parent_id))}
