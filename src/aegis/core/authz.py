"""Roles, the authenticated principal, and row scoping by organisational unit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, false

from aegis.core.errors import NotFound, PermissionDenied


class Role(StrEnum):
    """Roles a user can hold on an organisational unit."""

    ADMIN = "admin"
    ANALYST = "analyst"
    READONLY = "readonly"


WRITE_ROLES = frozenset({Role.ADMIN, Role.ANALYST})


@dataclass(frozen=True)
class Assignment:
    """One role held on one unit, optionally covering its descendants."""

    role: Role
    unit_id: int
    include_children: bool


@dataclass(frozen=True)
class Principal:
    """The authenticated user and the unit ids each kind of access reaches."""

    user_id: int
    email: str
    readable: frozenset[int] = field(default_factory=frozenset)
    writable: frozenset[int] = field(default_factory=frozenset)
    administrable: frozenset[int] = field(default_factory=frozenset)
    shared_with: frozenset[int] = field(default_factory=frozenset)
    auditable: frozenset[int] = field(default_factory=frozenset)
    session_id: int | None = None
    api_token_id: int | None = None  # set when the request came with an API token
    # whether the session's password was typed recently enough for sensitive actions
    # (aegis.core.confirmation); never for an API token
    password_confirmed: bool = False
    # set_by_admin or breached while the user must choose a new password before anything else
    password_change_reason: str | None = None

    @property
    def is_admin(self) -> bool:
        """Whether the user administers at least one unit."""
        return bool(self.administrable)

    def can_read(self, unit_id: int) -> bool:
        """Whether objects of this unit are visible."""
        return unit_id in self.readable

    def require_write(self, unit_id: int) -> None:
        """Raise unless the user may change objects of this unit."""
        if unit_id not in self.writable:
            raise PermissionDenied("You may not change objects of this unit", unit_id=unit_id)

    def require_any_write(self) -> None:
        """Raise unless the user may change objects of at least one unit."""
        if not self.writable:
            raise PermissionDenied("Your roles allow reading only")

    def require_admin(self, unit_id: int | None = None) -> None:
        """Raise unless the user administers this unit (or any unit when None)."""
        allowed = self.is_admin if unit_id is None else unit_id in self.administrable
        if not allowed:
            raise PermissionDenied("Administrator role required", unit_id=unit_id)

    def require_visible(self, unit_id: int, what: str) -> None:
        """Raise NotFound for an object whose unit is outside the user's scope."""
        if unit_id not in self.readable:
            raise NotFound(f"{what} not found")


def descendants(unit_id: int, children: Mapping[int, list[int]]) -> set[int]:
    """Return the unit and every unit below it."""
    found, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return found


def ancestors(unit_id: int, parents: Mapping[int, int | None]) -> set[int]:
    """Return the unit and every unit above it."""
    found: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


def resolve_principal(
    *,
    user_id: int,
    email: str,
    assignments: Iterable[Assignment],
    parents: Mapping[int, int | None],
    session_id: int | None = None,
) -> Principal:
    """Expand role assignments over the unit tree into the sets of reachable units."""
    children: dict[int, list[int]] = {}
    for unit, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    by_role: dict[Role, set[int]] = {role: set() for role in Role}
    for assignment in assignments:
        if assignment.unit_id not in parents:
            continue
        reach = (
            descendants(assignment.unit_id, children)
            if assignment.include_children
            else {assignment.unit_id}
        )
        by_role[assignment.role] |= reach
    readable = set().union(*by_role.values())
    shared: set[int] = set()
    for unit in readable:
        shared |= ancestors(unit, parents)
    return Principal(
        user_id=user_id,
        email=email,
        readable=frozenset(readable),
        writable=frozenset(by_role[Role.ADMIN] | by_role[Role.ANALYST]),
        administrable=frozenset(by_role[Role.ADMIN]),
        shared_with=frozenset(shared),
        auditable=frozenset(by_role[Role.ADMIN] | by_role[Role.READONLY]),
        session_id=session_id,
    )


def in_units(column: Any, unit_ids: frozenset[int]) -> ColumnElement[bool]:
    """SQL condition restricting rows to the given units (nothing when the set is empty)."""
    if not unit_ids:
        return false()
    return column.in_(sorted(unit_ids))
