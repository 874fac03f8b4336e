"""Queries of the controls domain, always scoped to the caller's units."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.domains.common.links import LinkKind
from aegis.domains.common.listing import like_pattern
from aegis.domains.controls.schemas import ControlQuery
from aegis.models import Control, Framework, Requirement, control_requirements


def visible(units: frozenset[int]) -> Select[Control]:
    """Controls of these units."""
    return select(Control).where(in_units(Control.unit_id, units))


def filtered(units: frozenset[int], query: ControlQuery) -> Select[Control]:
    """Controls of these units matching the filters."""
    stmt = visible(units)
    if query.q:
        pattern = like_pattern(query.q)
        stmt = stmt.where(
            or_(
                func.lower(Control.ref).like(pattern, escape="\\"),
                func.lower(Control.title).like(pattern, escape="\\"),
                func.lower(Control.description).like(pattern, escape="\\"),
            )
        )
    for name in ("unit_id", "status", "owner_id"):
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(Control, name) == value)
    if query.requirement_id is not None:
        stmt = stmt.where(
            exists().where(
                control_requirements.c.control_id == Control.id,
                control_requirements.c.requirement_id == query.requirement_id,
            )
        )
    if query.framework_id is not None:
        stmt = stmt.where(
            exists().where(
                control_requirements.c.control_id == Control.id,
                control_requirements.c.requirement_id == Requirement.id,
                Requirement.framework_id == query.framework_id,
            )
        )
    return stmt


def get(
    session: Session, units: frozenset[int], control_id: int, *, lock: bool = False
) -> Control | None:
    """One control of these units, optionally locked (and re-read) for an update."""
    stmt = visible(units).where(Control.id == control_id)
    return session.scalar(
        stmt.with_for_update().execution_options(populate_existing=True) if lock else stmt
    )


def visible_ids(session: Session, units: frozenset[int], ids: Iterable[int]) -> set[int]:
    """Which of these control ids belong to these units."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    stmt = select(Control.id).where(Control.id.in_(wanted), in_units(Control.unit_id, units))
    return set(session.scalars(stmt))


def get_many(session: Session, units: frozenset[int], ids: Iterable[int]) -> list[Control]:
    """The controls of these units among these ids, by reference."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    stmt = visible(units).where(Control.id.in_(wanted)).order_by(Control.ref, Control.id)
    return list(session.scalars(stmt))


def visible_requirement_ids(
    session: Session, shared_with: frozenset[int], ids: Iterable[int]
) -> set[int]:
    """Which of these requirement ids belong to frameworks of these units."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    stmt = (
        select(Requirement.id)
        .join(Framework, Framework.id == Requirement.framework_id)
        .where(Requirement.id.in_(wanted), in_units(Framework.unit_id, shared_with))
    )
    return set(session.scalars(stmt))


def ref_taken(session: Session, unit_id: int, ref: str, except_id: int | None) -> bool:
    """Whether another control of the unit has this reference, ignoring case on every engine."""
    stmt = select(Control.id).where(
        Control.unit_id == unit_id, func.lower(Control.ref) == ref.lower()
    )
    if except_id is not None:
        stmt = stmt.where(Control.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


REQUIREMENT_LINKS = LinkKind(
    control_requirements,
    "control_id",
    "requirement_id",
    lambda: select(Requirement.id, Framework.unit_id).join(
        Framework, Framework.id == Requirement.framework_id
    ),
)
