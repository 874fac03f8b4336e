"""The expected-permissions table: one `cases_<domain>.py` module per domain.

Every API route must have a Case; a route without one fails the role matrix test.
Actors: anonymous, readonly (company), analyst (division-a), admin (company) and
sibling (analyst of division-b). Objects are created in division-a by `setup`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

ACTORS = ("anonymous", "readonly", "analyst", "admin", "sibling")
ACTOR_USERS = {
    "readonly": "readonly",
    "analyst": "analyst",
    "admin": "admin",
    "sibling": "analyst_b",
}


@dataclass(frozen=True)
class Request:
    """Path parameters, JSON body, form data and files for one call."""

    path: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    params: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    data: dict[str, Any] | None = None


_app: ContextVar[Any] = ContextVar("role_matrix_app")


def current_app() -> Any:
    """The application under test, for setups that need its state (e.g. the blob store)."""
    return _app.get()


def use_app(app: Any) -> None:
    """Make the application under test available to setups."""
    _app.set(app)


# setup(db, world, principal_for) -> Request
Setup = Callable[[Session, Any, Callable[[str], Any]], Request]


def no_setup(_db: Session, _world: Any, _principal_for: Callable[[str], Any]) -> Request:
    """For routes that need no object."""
    return Request()


@dataclass(frozen=True)
class Case:
    """The status each actor must get from one route."""

    method: str
    path: str
    expect: dict[str, int]
    setup: Setup = no_setup


def statuses(
    anonymous: int, readonly: int, analyst: int, admin: int, sibling: int
) -> dict[str, int]:
    """Expected statuses in the order of ACTORS."""
    return dict(zip(ACTORS, (anonymous, readonly, analyst, admin, sibling), strict=True))


READ = statuses(401, 200, 200, 200, 404)
LIST = statuses(401, 200, 200, 200, 200)
CREATE = statuses(401, 403, 201, 201, 403)
UPDATE = statuses(401, 403, 200, 200, 404)
DELETE = statuses(401, 403, 204, 204, 404)
