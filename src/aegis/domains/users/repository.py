"""Queries of the users domain, scoped by the units the caller reaches."""

from __future__ import annotations

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.domains.common.listing import like_pattern
from aegis.domains.users.schemas import RoleAssignmentQuery, UserQuery
from aegis.models import RoleAssignment, User


def users_in(units: frozenset[int]) -> Select[User]:
    """Users holding at least one role on one of these units."""
    held = exists().where(
        RoleAssignment.user_id == User.id, in_units(RoleAssignment.unit_id, units)
    )
    return select(User).where(held)


def filtered_users(units: frozenset[int], query: UserQuery) -> Select[User]:
    """Users of these units matching the filters."""
    stmt = users_in(units)
    if query.q:
        pattern = like_pattern(query.q)
        stmt = stmt.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    if query.is_active is not None:
        stmt = stmt.where(User.is_active.is_(query.is_active))
    if query.unit_id is not None:
        on_unit = exists().where(
            RoleAssignment.user_id == User.id, RoleAssignment.unit_id == query.unit_id
        )
        stmt = stmt.where(on_unit)
    return stmt


def get_user_in(session: Session, units: frozenset[int], user_id: int) -> User | None:
    """Return a user holding a role on one of these units."""
    return session.scalar(users_in(units).where(User.id == user_id))


def assignment_units(session: Session, user_id: int) -> set[int]:
    """Units on which a user holds any role."""
    rows = session.scalars(select(RoleAssignment.unit_id).where(RoleAssignment.user_id == user_id))
    return set(rows)


def assignments_of(session: Session, user_id: int) -> list[RoleAssignment]:
    """A user's role assignments."""
    stmt = select(RoleAssignment).where(RoleAssignment.user_id == user_id)
    return list(session.scalars(stmt.order_by(RoleAssignment.id)))


def filtered_assignments(
    units: frozenset[int], query: RoleAssignmentQuery
) -> Select[RoleAssignment]:
    """Role assignments on these units matching the filters."""
    stmt = select(RoleAssignment).where(in_units(RoleAssignment.unit_id, units))
    if query.user_id is not None:
        stmt = stmt.where(RoleAssignment.user_id == query.user_id)
    if query.unit_id is not None:
        stmt = stmt.where(RoleAssignment.unit_id == query.unit_id)
    if query.role is not None:
        stmt = stmt.where(RoleAssignment.role == query.role.value)
    return stmt


def assignment_in(
    session: Session, units: frozenset[int], assignment_id: int
) -> RoleAssignment | None:
    """Return a role assignment on one of these units."""
    stmt = select(RoleAssignment).where(
        RoleAssignment.id == assignment_id, in_units(RoleAssignment.unit_id, units)
    )
    return session.scalar(stmt)


def assignment_exists(session: Session, user_id: int, unit_id: int, role: str) -> bool:
    """Whether the user already holds this role on this unit."""
    stmt = select(func.count()).where(
        RoleAssignment.user_id == user_id,
        RoleAssignment.unit_id == unit_id,
        RoleAssignment.role == role,
    )
    return (session.scalar(stmt) or 0) > 0


def names_by_id(session: Session, user_ids: set[int]) -> dict[int, str]:
    """Display names of these users."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(sorted(user_ids))))
    return {uid: name for uid, name in rows}


def id_by_email(session: Session, email: str) -> int | None:
    """Id of the user with this e-mail address."""
    return session.scalar(select(User.id).where(User.email == email))


def assignments_of_users(
    session: Session, units: frozenset[int], user_ids: list[int]
) -> list[RoleAssignment]:
    """The role assignments of these users on these units, by user then grant."""
    if not user_ids:
        return []
    stmt = select(RoleAssignment).where(
        RoleAssignment.user_id.in_(user_ids), in_units(RoleAssignment.unit_id, units)
    )
    return list(session.scalars(stmt.order_by(RoleAssignment.user_id, RoleAssignment.id)))
