"""Helpers shared by the administration pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import AegisError, Conflict
from aegis.domains.units import service as units

T = TypeVar("T")


def in_savepoint(session: Session, action: Callable[[], T]) -> T:
    """Run a change in a savepoint so that a refused change leaves nothing behind."""
    with session.begin_nested():
        return action()


def refusal_status(exc: AegisError | ValidationError) -> int:
    """The status of a page showing a refused change: 409 for a conflict, 422 otherwise."""
    return 409 if isinstance(exc, Conflict) else 422


def is_root_admin(session: Session, principal: Principal) -> bool:
    """Whether the principal administers the root unit (and so may edit the risk matrix)."""
    root = units.root_unit_id(session=session)
    return root is not None and root in principal.administrable
